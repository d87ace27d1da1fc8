package cloudformation

import (
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
	"github.com/tracebridge/tracebridge/testharness/localcloud/cfnresource"
)

// Stack statuses and resource statuses, as CloudFormation names them.
const (
	StatusCreateInProgress         = "CREATE_IN_PROGRESS"
	StatusCreateComplete           = "CREATE_COMPLETE"
	StatusCreateFailed             = "CREATE_FAILED"
	StatusRollbackInProgress       = "ROLLBACK_IN_PROGRESS"
	StatusRollbackComplete         = "ROLLBACK_COMPLETE"
	StatusRollbackFailed           = "ROLLBACK_FAILED"
	StatusDeleteInProgress         = "DELETE_IN_PROGRESS"
	StatusDeleteComplete           = "DELETE_COMPLETE"
	StatusDeleteFailed             = "DELETE_FAILED"
	StatusDeleteSkipped            = "DELETE_SKIPPED"
	StatusUpdateInProgress         = "UPDATE_IN_PROGRESS"
	StatusUpdateComplete           = "UPDATE_COMPLETE"
	StatusUpdateFailed             = "UPDATE_FAILED"
	StatusUpdateCleanupInProgress  = "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"
	StatusUpdateRollbackInProgress = "UPDATE_ROLLBACK_IN_PROGRESS"
	StatusUpdateRollbackComplete   = "UPDATE_ROLLBACK_COMPLETE"
	StatusUpdateRollbackFailed     = "UPDATE_ROLLBACK_FAILED"
	// StatusUpdateRollbackCleanupInProgress is when the resources a failed
	// update created are deleted.
	StatusUpdateRollbackCleanupInProgress = "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS"
	stackResourceType                     = "AWS::CloudFormation::Stack"
	stackUserInitiated                    = "User Initiated"
)

// Event is one stack event, as DescribeStackEvents lists it.
type Event struct {
	EventID              string
	StackID              string
	StackName            string
	LogicalResourceID    string
	PhysicalResourceID   string
	ResourceType         string
	Timestamp            time.Time
	ResourceStatus       string
	ResourceStatusReason string
}

// Output is a stack output.
type Output struct {
	Key         string
	Value       string
	Description string
	ExportName  string
}

// stack is a deployed stack. Its fields are guarded by Engine.mu.
type stack struct {
	name, id     string
	description  string
	status       string
	reason       string
	created      time.Time
	updated      time.Time
	deletedAt    time.Time
	templateBody []byte
	tmpl         *template
	params       []Parameter
	outputs      []Output
	resources    map[string]*stackResource
	// order lists logical ids in the order their resources were created;
	// deletion goes in reverse.
	order  []string
	events []Event
	// assemblyDir and assets are those of the deployment's cloud assembly
	// (see TemplateInput).
	assemblyDir string
	assets      map[string]string
	// disableRollback keeps a failed stack as it is (CREATE_FAILED,
	// UPDATE_FAILED) instead of rolling it back.
	disableRollback bool
	// rollback is what is left to roll back while the stack is
	// UPDATE_ROLLBACK_FAILED.
	rollback *rollbackPlan
}

// stackResource is one resource of a stack.
type stackResource struct {
	logicalID string
	typ       string
	status    string
	reason    string
	updated   time.Time
	// req is the request the resource was created (or last updated) with.
	req cfnresource.Request
	res cfnresource.Resource
	// exists tells whether something was created that a delete must
	// remove (a failed custom resource that answered FAILED has a physical
	// id CloudFormation sends Delete for).
	exists bool
	// native marks a Lambda function that only serves natively applied
	// custom resources: nothing was created for it.
	native bool
}

// event records a stack event. Must hold e.mu.
func (e *Engine) eventLocked(s *stack, logicalID, physicalID, typ, status, reason string) {
	s.events = append(s.events, Event{EventID: awsproto.NewRequestID(), StackID: s.id, StackName: s.name,
		LogicalResourceID: logicalID, PhysicalResourceID: physicalID, ResourceType: typ,
		Timestamp: e.clk.Now(), ResourceStatus: status, ResourceStatusReason: reason})
}

// setStackStatus moves the stack to status and records its event.
func (e *Engine) setStackStatus(s *stack, status, reason string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	s.status, s.reason = status, reason
	if status != StatusCreateInProgress {
		s.updated = e.clk.Now()
	}
	e.eventLocked(s, s.name, s.id, stackResourceType, status, reason)
}

// setStackStatusKeepingReason moves the stack to status, keeping the
// reason of the failure it ends (the reason a rolled-back stack reports),
// and records its event.
func (e *Engine) setStackStatusKeepingReason(s *stack, status string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	s.status, s.updated = status, e.clk.Now()
	e.eventLocked(s, s.name, s.id, stackResourceType, status, "")
}

// setResourceStatus moves a resource to status and records its event.
func (e *Engine) setResourceStatus(s *stack, r *stackResource, status, reason string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	r.status, r.reason, r.updated = status, reason, e.clk.Now()
	e.eventLocked(s, r.logicalID, r.res.PhysicalID, r.typ, status, reason)
}
