// Package pipes is the local EventBridge Pipes service: pipes from a
// DynamoDB stream, through an optional filter and Lambda enrichment, to a
// Lambda function, a Step Functions state machine or an event bus, with
// the delivery semantics of stream sources (batches, retries, bisection,
// partial batch failures, record age, dead-letter queue).
//
// A running pipe does not poll: it waits on its stream subscription's
// signal and on the service's clock, so a record reaches the target as
// soon as it is appended (with a zero batching window) and tests move
// time instead of sleeping.
//
// What a pipe calls it reaches through small interfaces the wiring
// provides (FunctionInvoker, ExecutionStarter, EventPutter, QueueSender),
// always with a context carrying the principal of the pipe's role.
//
// Where it differs from EventBridge Pipes is listed in testharness/localcloud/SUPPORT.md.
package pipes
