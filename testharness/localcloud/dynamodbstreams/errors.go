package dynamodbstreams

import (
	"net/http"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
)

// Errors worded as DynamoDB Streams words them.

func errStreamNotFound(streamARN string) error {
	return awsproto.Errorf("ResourceNotFoundException", http.StatusBadRequest,
		"Requested resource not found: Stream: %s not found", streamARN)
}

func errShardNotFound(shardID, streamARN string) error {
	return awsproto.Errorf("ResourceNotFoundException", http.StatusBadRequest,
		"Requested resource not found: Shard: %s in Stream: %s not found", shardID, streamARN)
}

// errTrimmed is GetRecords on an iterator that points before the oldest
// retained record (API Reference, GetRecords errors).
func errTrimmed() error {
	return awsproto.NewError("TrimmedDataAccessException", http.StatusBadRequest,
		"The operation attempted to read past the oldest stream record in a shard.")
}

// errExpired words an expired iterator as the Kinesis-based stream
// backend does.
func errExpired(issued, now time.Time) error {
	const layout = "Mon Jan 02 15:04:05 MST 2006"
	return awsproto.Errorf("ExpiredIteratorException", http.StatusBadRequest,
		"Iterator expired. The iterator was created at time %s while right now it is %s which is further in the future than the tolerated delay of %d milliseconds.",
		issued.UTC().Format(layout), now.UTC().Format(layout), IteratorLifetime.Milliseconds())
}

func errInvalidIterator() error {
	return awsproto.ValidationError("Invalid ShardIterator")
}
