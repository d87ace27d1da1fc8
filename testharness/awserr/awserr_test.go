package awserr_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/tracebridge/tracebridge/testharness"
	"github.com/tracebridge/tracebridge/testharness/awserr"
	"github.com/tracebridge/tracebridge/testharness/localcloud/faults"
	"github.com/tracebridge/tracebridge/testharness/localtest"
)

func TestMain(m *testing.M) { os.Exit(localtest.Main(m)) }

func TestIsPermanentCode(t *testing.T) {
	cases := []struct {
		code      string
		status    int
		permanent bool
	}{
		{"AccessDenied", 403, true},
		{"AccessDeniedException", 400, true},
		{"NoSuchBucket", 404, true},
		{"NoSuchKey", 404, true},
		{"ResourceNotFoundException", 400, true},
		{"ValidationException", 400, true},
		{"InvalidParameterException", 400, true},
		{"InvalidParameterValue", 400, true},
		{"InvalidParameterCombination", 400, true},
		{"InvalidRequest", 400, true},
		{"KMS.DisabledException", 400, true},
		{"KMSAccessDeniedException", 502, true},
		{"KMS.NotFoundException", 400, true},
		{"NotAuthorizedForSourceException", 0, true},
		{"MalformedDetail", 0, true},
		{"Forbidden", 403, true}, // S3's answer to a denied HEAD: no body, no code of its own
		{"SomethingNew", 404, true},

		{"SlowDown", 503, false},
		{"ThrottlingException", 400, false},
		{"Throttling", 400, false},
		{"ProvisionedThroughputExceededException", 400, false},
		{"TooManyRequestsException", 429, false},
		{"RequestLimitExceeded", 503, false},
		{"KMS.ThrottlingException", 400, false},
		{"InternalFailure", 0, false},
		{"InternalError", 500, false},
		{"ServiceUnavailable", 503, false},
		{"RequestTimeout", 400, false},
		{"RequestTimeTooSkewed", 403, false},
		{"ExpiredToken", 400, false},
		{"ExpiredTokenException", 403, false},
		{"OperationAborted", 409, false},
		{"SomethingNew", 400, false},
	}
	for _, c := range cases {
		if got := awserr.IsPermanentCode(c.code, c.status); got != c.permanent {
			t.Errorf("awserr.IsPermanentCode(%q, %d) = %v, want %v", c.code, c.status, got, c.permanent)
		}
	}
}

// TestAsPermanentOnSDKErrors classifies the errors the real SDK clients
// return, in the S3 (REST-XML) and CloudWatch Logs (JSON) protocols: the
// local cloud's own answers where it gives them (a missing bucket or log
// group, an invalid batch), injected faults for the rest.
func TestAsPermanentOnSDKErrors(t *testing.T) {
	denial := `User: arn:aws:sts::000000000000:assumed-role/ImageRole/fn is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::b/k" because no identity-based policy allows the s3:GetObject action`
	cases := []struct {
		op     string       // "GetObject" (S3), "PutLogEvents" or "PutLogEvents out of order" (Logs)
		fault  *faults.Spec // nil: the cloud's own answer
		want   awserr.Error
		reason string // "" when transient
	}{
		{"GetObject", s3Fault(403, "AccessDenied", denial),
			awserr.Error{"GetObject", "AccessDenied", denial}, "s3:GetObject denied: " + denial},
		{"GetObject", s3Fault(403, "AccessDenied", "Access Denied"),
			awserr.Error{"GetObject", "AccessDenied", "Access Denied"}, "GetObject denied: AccessDenied: Access Denied"},
		{"GetObject", nil, // of a bucket that does not exist
			awserr.Error{"GetObject", "NoSuchBucket", "The specified bucket does not exist"}, "GetObject failed: NoSuchBucket: The specified bucket does not exist"},
		{"PutLogEvents", nil, // to a log group that does not exist
			awserr.Error{"PutLogEvents", "ResourceNotFoundException", "The specified log group does not exist."},
			"PutLogEvents failed: ResourceNotFoundException: The specified log group does not exist."},
		{"PutLogEvents out of order", nil,
			awserr.Error{"PutLogEvents", "InvalidParameterException", "Log events in a single PutLogEvents request must be in chronological order."},
			"PutLogEvents failed: InvalidParameterException: Log events in a single PutLogEvents request must be in chronological order."},
		{"GetObject", s3Fault(503, "SlowDown", "Please reduce your request rate."), awserr.Error{}, ""},
		{"GetObject", s3Fault(500, "InternalError", "We encountered an internal error. Please try again."), awserr.Error{}, ""},
		{"PutLogEvents", logsFault(400, "ThrottlingException", "Rate exceeded"), awserr.Error{}, ""},
		{"PutLogEvents", logsFault(503, "ServiceUnavailableException", "The service cannot complete the request."), awserr.Error{}, ""},
		// A code AWS might add one day with a 5xx stays transient.
		{"PutLogEvents", logsFault(502, "AccessDeniedException", "bad gateway"), awserr.Error{}, ""},
	}
	for _, c := range cases {
		name := c.op + " " + c.want.Code
		if c.fault != nil {
			name = fmt.Sprintf("%s %d %s", c.op, c.fault.StatusCode, c.fault.ErrorCode)
		}
		t.Run(name, func(t *testing.T) {
			resource := localtest.Name("res")
			if c.fault != nil {
				f := *c.fault
				f.Resource = resource + "*"
				localtest.Fault(t, f)
			}
			err := call(t, localtest.Config(t), c.op, resource)
			if err == nil {
				t.Fatal("the call succeeded")
			}
			got, ok := awserr.AsPermanent(fmt.Errorf("context: %w", err))
			if ok != (c.reason != "") || got != c.want {
				t.Fatalf("awserr.AsPermanent(%v) = %+v, %v; want %+v, %v", err, got, ok, c.want, c.reason != "")
			}
			if ok && got.Reason() != c.reason {
				t.Errorf("Reason()\n got %s\nwant %s", got.Reason(), c.reason)
			}
		})
	}
}

func s3Fault(status int, code, message string) *faults.Spec {
	return &faults.Spec{Service: "s3", Operation: "s3:GetObject", Action: faults.Error, StatusCode: status, ErrorCode: code, Message: message}
}

func logsFault(status int, code, message string) *faults.Spec {
	return &faults.Spec{Service: "logs", Operation: "logs:PutLogEvents", Action: faults.Error, StatusCode: status, ErrorCode: code, Message: message}
}

func TestNetworkErrorsAreTransient(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now: connection refused
	cfg, err := testharness.LocalConfig(context.Background(), "http://"+addr)
	if err != nil {
		t.Fatal(err)
	}
	err = call(t, cfg, "PutLogEvents", "g")
	if err == nil {
		t.Fatal("a call to a closed port succeeded")
	}
	if e, ok := awserr.AsPermanent(err); ok {
		t.Fatalf("awserr.AsPermanent(%v) = %+v, want transient", err, e)
	}
	if code, msg := awserr.CodeAndMessage(err); code != "" || msg != err.Error() {
		t.Errorf("CodeAndMessage = %q, %q", code, msg)
	}
	if _, ok := awserr.AsPermanent(errors.New("not from AWS")); ok {
		t.Error("a plain error is permanent")
	}
}

// call makes one call of op on the bucket or log group named name (key
// "k", stream "s"), neither of which exists.
func call(t *testing.T, cfg aws.Config, op, name string) error {
	t.Helper()
	ctx := context.Background()
	event := func(ts int64) types.InputLogEvent {
		return types.InputLogEvent{Message: aws.String("m"), Timestamp: aws.Int64(ts)}
	}
	now := time.Now().UnixMilli()
	switch op {
	case "GetObject":
		_, err := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).GetObject(ctx,
			&s3.GetObjectInput{Bucket: aws.String(name), Key: aws.String("k")})
		return err
	case "PutLogEvents", "PutLogEvents out of order":
		events := []types.InputLogEvent{event(now)}
		if op != "PutLogEvents" {
			events = []types.InputLogEvent{event(now), event(now - 1)}
		}
		_, err := cloudwatchlogs.NewFromConfig(cfg).PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{
			LogGroupName: aws.String(name), LogStreamName: aws.String("s"), LogEvents: events})
		return err
	}
	t.Fatalf("no call for %s", op)
	return nil
}
