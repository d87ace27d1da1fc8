package await

import (
	"slices"

	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Attributes of a pairing item in the harness table (key: the correlation
// id in testharness.HarnessTablePartitionKey).
const (
	attrToken     = "token"     // S: the Await task's token
	attrSuccess   = "success"   // L of S: detail-types that complete it with success
	attrFailure   = "failure"   // L of S: detail-types that fail it
	attrEvents    = "events"    // L of M: completion events, in arrival order
	attrEventIDs  = "eventIds"  // SS: ids of the events, to drop repeated deliveries
	attrCompleted = "completed" // S: the detail-type that completed the task
)

// pairing is a decoded pairing item.
type pairing struct {
	Token            string
	Success, Failure []string
	Events           []event
	Completed        string
}

type event struct {
	ID, DetailType, Detail, TraceHeader string
}

// awaited returns the first event, in arrival order, of a detail-type the
// token awaits.
func (p pairing) awaited() (event, bool) {
	for _, e := range p.Events {
		if slices.Contains(p.Success, e.DetailType) || slices.Contains(p.Failure, e.DetailType) {
			return e, true
		}
	}
	return event{}, false
}

func decodePairing(item map[string]ddbtypes.AttributeValue) pairing {
	p := pairing{Token: str(item[attrToken]), Success: strs(item[attrSuccess]), Failure: strs(item[attrFailure]), Completed: str(item[attrCompleted])}
	if l, ok := item[attrEvents].(*ddbtypes.AttributeValueMemberL); ok {
		for _, v := range l.Value {
			m, ok := v.(*ddbtypes.AttributeValueMemberM)
			if !ok {
				continue
			}
			p.Events = append(p.Events, event{ID: str(m.Value["id"]), DetailType: str(m.Value["detailType"]),
				Detail: str(m.Value["detail"]), TraceHeader: str(m.Value["traceHeader"])})
		}
	}
	return p
}

func str(v ddbtypes.AttributeValue) string {
	if s, ok := v.(*ddbtypes.AttributeValueMemberS); ok {
		return s.Value
	}
	return ""
}

func strs(v ddbtypes.AttributeValue) []string {
	l, ok := v.(*ddbtypes.AttributeValueMemberL)
	if !ok {
		return nil
	}
	out := make([]string, 0, len(l.Value))
	for _, e := range l.Value {
		out = append(out, str(e))
	}
	return out
}

func stringList(values []string) *ddbtypes.AttributeValueMemberL {
	l := &ddbtypes.AttributeValueMemberL{Value: make([]ddbtypes.AttributeValue, 0, len(values))}
	for _, v := range values {
		l.Value = append(l.Value, &ddbtypes.AttributeValueMemberS{Value: v})
	}
	return l
}
