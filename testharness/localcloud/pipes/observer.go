package pipes

import "github.com/tracebridge/tracebridge/testharness/localcloud/dynamodbstreams"

// FilterObserver hears every stream record a pipe reads, with whether its
// filters let it through (the local cloud's console). It runs on the
// pipe's loop and must not block.
type FilterObserver interface {
	RecordFiltered(pipeARN string, r dynamodbstreams.Record, passed bool)
}

type noObserver struct{}

func (noObserver) RecordFiltered(string, dynamodbstreams.Record, bool) {}
