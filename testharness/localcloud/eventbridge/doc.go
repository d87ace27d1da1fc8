// Package eventbridge is the local cloud's Amazon EventBridge: event buses,
// rules with event patterns (package eventpattern), targets delivered
// asynchronously with input transformation (package transform), retry
// policies on the injected clock and SQS dead-letter queues, archives and
// replays, and the AWS::Events::* CloudFormation types.
//
// It serves the awsJson1.1 API ("AWSEvents.*", signing name "events") and
// gives other services a Go API: PutEvent/PutEvents (S3 puts its "Object
// Created" events on the default bus through it), Subscribe (the harness
// sees every event put on a bus, without polling) and Flush (tests prove
// that nothing was delivered).
//
// Targets are reached through interfaces the service declares and the
// wiring connects: LambdaInvoker, QueueSender, ExecutionStarter, other
// buses of this service, and Options.Targets for any other kind. Each rule
// target has its own delivery queue and goroutine; no call out is made
// while the service lock is held.
//
// Where it differs from AWS is written down in testharness/localcloud/SUPPORT.md; mainly:
// scheduled rules are stored but never run, retry delays have no jitter,
// and resource policies are stored but not enforced.
package eventbridge
