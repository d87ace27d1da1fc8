// Package asl is the Amazon States Language interpreter behind the local
// Step Functions emulator. It has no HTTP in it: the Step Functions API
// service parses definitions with Parse and runs them with an Executor,
// supplying the task integrations (TaskInvoker), the time source (a clock.Clock) and
// where history events go (HistorySink).
//
// The interpreter follows the Amazon States Language specification and the
// Step Functions developer guide for JSONPath machines: input/output
// processing in the documented order (InputPath, Parameters, task,
// ResultSelector, ResultPath, OutputPath), every state type, inline Map,
// Retry/Catch with the predefined States.* error names, the context object,
// intrinsic functions and the callback (.waitForTaskToken) pattern.
//
// Known differences from AWS (keep in sync with the support matrix):
//   - QueryLanguage "JSONata" and variables (Assign) are rejected at Parse
//     time with SCHEMA_VALIDATION_FAILED.
//   - Map in DISTRIBUTED mode (ItemReader, ResultWriter, ItemBatcher) is
//     rejected at Parse time.
//   - Every Task emits TaskScheduled/TaskStarted/TaskSucceeded/TaskFailed
//     events, also for bare Lambda ARNs where AWS records LambdaFunction*
//     events, and activities are run through the TaskInvoker like any other
//     resource.
//   - HeartbeatSeconds only applies to callback (.waitForTaskToken) tasks,
//     the only tasks that can send heartbeats here.
//   - Payload size limits (256 KiB) are checked on the execution input
//     (Run returns an error) and on task results (States.DataLimitExceeded),
//     not on every state's output.
//   - A Task's Credentials field is accepted and ignored.
//   - Map iterations whose failures are tolerated leave {"Error","Cause"}
//     in their slot of the result array.
package asl
