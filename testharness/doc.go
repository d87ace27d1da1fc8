// Package testharness is Tracebridge's integration-test library: a Test is
// Go code (Act → Await a completion event → Assert on state and the X-Ray
// trace → Cleanup), and the same list of tests drives the AWS state
// machine (Definition), the harness Lambdas (testharness/runner,
// testharness/await, testharness/starter) and runs against the local
// cloud.
//
// Why this shape: AWS does not carry trace context across S3
// notifications or DynamoDB streams, so the correlation id travels in the
// data and the app copies it into its completion events and X-Ray
// annotations; the harness resumes on those events instead of waiting a
// fixed time, and asserts on the traces the id names (Env.ExpectTrace),
// retrying while X-Ray is still ingesting (ErrTraceIncomplete). Absence is
// proven by a canary, never by waiting (ProveAbsence).
package testharness
