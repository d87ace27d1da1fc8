package stepfunctions

import (
	"context"
	"encoding/json"
	"log"
	"time"
)

// Status change events, as Step Functions sends them to EventBridge's
// default bus for STANDARD executions (EventBridge events reference,
// "AWS Step Functions events"; Step Functions Developer Guide, "Automating
// Step Functions event delivery with EventBridge").
const (
	StatusChangeSource     = "aws.states"
	StatusChangeDetailType = "Step Functions Execution Status Change"
	// maxEventDataBytes is the largest input or output an event carries;
	// larger ones are left out with inputDetails/outputDetails.included
	// false, as the developer guide describes.
	maxEventDataBytes = 248 * 1024
)

// StatusChange is one "Step Functions Execution Status Change" event.
type StatusChange struct {
	Source     string // StatusChangeSource
	DetailType string // StatusChangeDetailType
	Resources  []string
	Detail     json.RawMessage
	Time       time.Time
}

// StatusChangePublisher receives the status changes of STANDARD
// executions: RUNNING when one starts, then SUCCEEDED, FAILED, TIMED_OUT
// or ABORTED. The wiring puts them on EventBridge's default bus.
type StatusChangePublisher interface {
	PublishStatusChange(ctx context.Context, e StatusChange) error
}

// statusChangeDetail is the event's detail, with AWS's member names and
// dates in epoch milliseconds.
type statusChangeDetail struct {
	ExecutionArn    string       `json:"executionArn"`
	StateMachineArn string       `json:"stateMachineArn"`
	Name            string       `json:"name"`
	Status          string       `json:"status"`
	StartDate       int64        `json:"startDate"`
	StopDate        *int64       `json:"stopDate"`
	Input           *string      `json:"input"`
	InputDetails    dataDetails  `json:"inputDetails"`
	Output          *string      `json:"output"`
	OutputDetails   *dataDetails `json:"outputDetails"`
	Error           *string      `json:"error"`
	Cause           *string      `json:"cause"`
}

// publishStatusChange sends an execution's status to the publisher, if
// any; EXPRESS executions send none, as on AWS. Delivery is best effort
// on AWS too: a failure is logged.
func (s *Service) publishStatusChange(ctx context.Context, r ExecutionResult, typ string) {
	if s.opts.StatusChanges == nil || typ == TypeExpress {
		return
	}
	d := statusChangeDetail{ExecutionArn: r.ExecutionArn, StateMachineArn: r.StateMachineArn, Name: r.Name,
		Status: r.Status, StartDate: r.StartDate.UnixMilli(), InputDetails: dataDetails{Included: len(r.Input) <= maxEventDataBytes},
		Error: optional(r.Error), Cause: optional(r.Cause)}
	if d.InputDetails.Included {
		d.Input = &r.Input
	}
	when := r.StartDate
	if r.Status != StatusRunning {
		stop := r.StopDate.UnixMilli()
		d.StopDate, when = &stop, r.StopDate
	}
	if r.Status == StatusSucceeded {
		d.OutputDetails = &dataDetails{Included: len(r.Output) <= maxEventDataBytes}
		if d.OutputDetails.Included {
			d.Output = &r.Output
		}
	}
	detail, err := json.Marshal(d)
	if err == nil {
		err = s.opts.StatusChanges.PublishStatusChange(ctx, StatusChange{Source: StatusChangeSource, DetailType: StatusChangeDetailType,
			Resources: []string{r.ExecutionArn}, Detail: detail, Time: when})
	}
	if err != nil {
		log.Printf("local cloud: Step Functions could not send the %s status change of %s: %v", r.Status, r.ExecutionArn, err)
	}
}
