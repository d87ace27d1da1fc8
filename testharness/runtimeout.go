package testharness

import "time"

// RunTimeout is the test state machine's overall TimeoutSeconds: well
// under the hour CloudFormation waits at most for a custom resource, so a
// hung test cannot hold a deployment that long. When an execution of the
// deploy-time check times out (or is stopped, or fails), the starter
// answers CloudFormation itself, from the execution's status change event.
const RunTimeout = 30 * time.Minute

// ExecutionStatusChangeDetailType is the detail-type of the status change
// events Step Functions puts on the default bus (source aws.states).
const ExecutionStatusChangeDetailType = "Step Functions Execution Status Change"

// RunEndedWithoutReport are the statuses in which a run ends without its
// report step having answered CloudFormation: the infra routes these
// status changes of the test state machine to the starter.
var RunEndedWithoutReport = []string{"TIMED_OUT", "ABORTED", "FAILED"}

// BranchEndStates are the states one of which every test's branch ends
// in (see Definition): a test whose branch exited neither had not
// finished.
func BranchEndStates(test string) []string {
	return []string{test + ".Cleanup", test + ".CleanupFailed"}
}
