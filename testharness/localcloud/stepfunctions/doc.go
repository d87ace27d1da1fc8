// Package stepfunctions is the local cloud's Step Functions: the awsJson1.0
// API (X-Amz-Target "AWSStepFunctions.*", signing name "states") over the
// Amazon States Language interpreter in package asl, the
// AWS::StepFunctions::StateMachine provisioner, and a Go API for the
// wiring and the harness (StartExecution, WaitExecution, OnExecutionDone).
//
// Executions run on goroutines tied to the service (Close aborts them and
// waits) and on the injected clock, so Wait states, retries, timeouts and
// heartbeats never sleep in tests. Every task runs as an AssumeRole
// session of the state machine's role named after the execution
// (identity.NewContext), through small interfaces the wiring provides:
// LambdaInvoker (lambda:invoke and bare function ARNs), EventPutter
// (events:putEvents) and SDKCaller (optimized DynamoDB and SQS tasks and
// every aws-sdk:SERVICE:ACTION task; GatewaySDKCaller sends them through
// the gateway as awsJson requests). states:startExecution runs
// executions of this service.
//
// Traced executions (TracingConfiguration.Enabled, or a caller's trace
// header) pass X-Amzn-Trace-Id headers to Lambda and putEvents, one task
// subsegment each, and report their segments to an ExecutionTracer.
//
// Where it differs from AWS is in testharness/localcloud/SUPPORT.md; mainly: EXPRESS executions
// keep a describable history, activities, versions/aliases, map runs,
// redrive and execution logs are not implemented, and aws-sdk tasks reach
// awsJson services only.
package stepfunctions
