// Package cdkharness adds the Tracebridge integration-test harness to a CDK
// Go app's stack: the Step Functions state machine generated from the
// app's own suite (one branch per test), the runner, await and starter
// functions built from that suite, the rule that hands the await function
// the app's completion events, the deploy-time check (Custom::TestRun,
// which runs the suite on every deployment and fails it when a test
// fails), the skip flag (SkipTestsContextKey) and the TestStateMachineArn
// output.
//
// An app writes its tests and nothing else of the harness: the suite is a
// Go package exporting
//
//	func Tests() []testharness.Test
//
// and New generates the harness functions' mains, each a call of the
// public entry point (testharness/runner, await, starter) with that
// suite, built through go build -overlay (cdkgo.Builder.AddMain) without a
// file in the source tree:
//
//	builder := &cdkgo.Builder{ModuleRoot: root, OutDir: filepath.Join(root, "build")}
//	h, err := cdkharness.New(stack, "Harness", &cdkharness.Props{
//		Builder:      builder,
//		Tests:        suite.Tests(),
//		SuitePackage: "./suite",
//		EventBus:     bus,
//		Outputs:      map[string]*string{"BucketName": bucket.BucketName()},
//		Access:       cdkharness.Access{Statements: []awsiam.PolicyStatement{ /* what the tests do */ }},
//		Glue:         cdkharness.Glue{Buckets: []awss3.IBucket{bucket}, Functions: []awslambda.IFunction{fn}},
//	})
//
// The app's handlers announce their outcomes with testharness/completion.
package cdkharness
