package stepfunctions

import (
	"context"
	"encoding/json"
	"log"
	"strings"
	"time"
)

// Status change events, as Step Functions sends them to EventBridge's
// default bus for STANDARD executions. The shape follows the examples of
// the Step Functions Developer Guide, "EventBridge (CloudWatch Events) for
// Step Functions execution status changes" > "Step Functions event
// examples" (https://docs.aws.amazon.com/step-functions/latest/dg/cw-events.html),
// copied in testdata/status-change-events.json.
const (
	StatusChangeSource     = "aws.states"
	StatusChangeDetailType = "Step Functions Execution Status Change"
	// maxEventDataBytes bounds the escaped input and output an event
	// carries: the same page, "EventBridge payloads", says that when the
	// escaped input and escaped output together exceed 248KB the input is
	// left out, and when the escaped output alone does the output is.
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

// statusChangeDetail is the event's detail, member for member as in the
// documented examples: dates in epoch milliseconds, stopDate null while
// running, input and output as strings (null when left out or, for the
// output, before the execution succeeded), inputDetails always and
// outputDetails only with an output. The examples have no error or cause;
// the page says the detail carries DescribeExecution's information, so a
// failed, timed-out or stopped execution's error and cause are there as
// DescribeExecution has them (absent when it has none). No redrive
// members: the documented examples have none.
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
	Error           string       `json:"error,omitempty"`
	Cause           string       `json:"cause,omitempty"`
}

// publishStatusChange sends an execution's status to the publisher, if
// any; EXPRESS executions send none, as on AWS. Delivery is best effort
// on AWS too: a failure is logged.
func (s *Service) publishStatusChange(ctx context.Context, r ExecutionResult, typ string) {
	if s.opts.StatusChanges == nil || typ == TypeExpress {
		return
	}
	d := statusChangeDetail{ExecutionArn: r.ExecutionArn, StateMachineArn: r.StateMachineArn, Name: r.Name,
		Status: r.Status, StartDate: r.StartDate.UnixMilli(), Error: r.Error, Cause: r.Cause}
	when := r.StartDate
	if r.Status != StatusRunning {
		stop := r.StopDate.UnixMilli()
		d.StopDate, when = &stop, r.StopDate
	}
	escapedOutput := 0
	if r.Status == StatusSucceeded {
		escapedOutput = escapedSize(r.Output)
		d.OutputDetails = &dataDetails{Included: escapedOutput <= maxEventDataBytes}
		if d.OutputDetails.Included {
			d.Output = &r.Output
		}
	}
	d.InputDetails.Included = escapedSize(r.Input)+escapedOutput <= maxEventDataBytes
	if d.InputDetails.Included {
		d.Input = &r.Input
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

// escapedSize is the size of s escaped as a JSON string's contents
// (without the quotes; <, > and & are not escaped, only what JSON must).
func escapedSize(s string) int {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // encoding a string cannot fail
	return b.Len() - len("\"\"\n")
}
