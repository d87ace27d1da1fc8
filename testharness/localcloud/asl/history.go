package asl

import (
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// HistorySink receives an execution's events in order, shaped as the Step
// Functions GetExecutionHistory API returns them (types.HistoryEvent, with
// Id, PreviousEventId, Timestamp, Type and the matching *EventDetails). The
// executor calls Record from one goroutine at a time per execution.
type HistorySink interface {
	Record(ev types.HistoryEvent)
}

// HistoryRecorder is a HistorySink that keeps every event in memory.
type HistoryRecorder struct {
	mu     sync.Mutex
	events []types.HistoryEvent
}

func (r *HistoryRecorder) Record(ev types.HistoryEvent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, ev)
}

// Events returns a copy of the events recorded so far.
func (r *HistoryRecorder) Events() []types.HistoryEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]types.HistoryEvent(nil), r.events...)
}

// Types lists the recorded event types, handy for comparing a history with
// a documented sequence.
func (r *HistoryRecorder) Types() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, len(r.events))
	for i, ev := range r.events {
		out[i] = string(ev.Type)
	}
	return out
}
