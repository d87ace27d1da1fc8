package main

import "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

// PutLogEvents limits (CloudWatch Logs API Reference, PutLogEvents): at most
// 10,000 events and 1,048,576 bytes per call, each event counting its UTF-8
// message plus 26 bytes; events in chronological order; one call spanning at
// most 24 hours.
const (
	maxBatchEvents = 10_000
	maxBatchBytes  = 1_048_576
	eventOverhead  = 26
	maxBatchSpanMS = 24 * 60 * 60 * 1000
)

// splitBatches cuts chronologically ordered events into PutLogEvents calls
// within the limits, returning index ranges [start, end). An event too big
// for any call gets a range of its own with oversize set, so the caller can
// fail just that record.
func splitBatches(events []types.InputLogEvent) []batch {
	var out []batch
	start, size := 0, 0
	for i, e := range events {
		n := len(*e.Message) + eventOverhead
		if n > maxBatchBytes {
			if i > start {
				out = append(out, batch{start: start, end: i})
			}
			out = append(out, batch{start: i, end: i + 1, oversize: true})
			start, size = i+1, 0
			continue
		}
		if i > start && (i-start == maxBatchEvents || size+n > maxBatchBytes || *e.Timestamp-*events[start].Timestamp > maxBatchSpanMS) {
			out = append(out, batch{start: start, end: i})
			start, size = i, 0
		}
		size += n
	}
	if start < len(events) {
		out = append(out, batch{start: start, end: len(events)})
	}
	return out
}

type batch struct {
	start, end int
	oversize   bool
}
