package awserr

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/tracebridge/tracebridge/handlers/internal/fakeaws"
)

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
		if got := IsPermanentCode(c.code, c.status); got != c.permanent {
			t.Errorf("IsPermanentCode(%q, %d) = %v, want %v", c.code, c.status, got, c.permanent)
		}
	}
}

// TestAsPermanentOnSDKErrors classifies the errors the real SDK clients
// return for faults the fake answers with, in the S3 (REST-XML) and
// CloudWatch Logs (JSON) protocols.
func TestAsPermanentOnSDKErrors(t *testing.T) {
	denial := `User: arn:aws:sts::000000000000:assumed-role/ImageRole/fn is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::b/k" because no identity-based policy allows the s3:GetObject action`
	cases := []struct {
		op     string // "GetObject" (S3) or "PutLogEvents" (Logs)
		fault  fakeaws.Fault
		want   Error
		reason string // "" when transient
	}{
		{"GetObject", fakeaws.Fault{Status: 403, Code: "AccessDenied", Message: denial},
			Error{"GetObject", "AccessDenied", denial}, "s3:GetObject denied: " + denial},
		{"GetObject", fakeaws.Fault{Status: 403, Code: "AccessDenied", Message: "Access Denied"},
			Error{"GetObject", "AccessDenied", "Access Denied"}, "GetObject denied: AccessDenied: Access Denied"},
		{"GetObject", fakeaws.Fault{Status: 404, Code: "NoSuchBucket", Message: "The specified bucket does not exist"},
			Error{"GetObject", "NoSuchBucket", "The specified bucket does not exist"}, "GetObject failed: NoSuchBucket: The specified bucket does not exist"},
		{"PutLogEvents", fakeaws.Fault{Status: 400, Code: "ResourceNotFoundException", Message: "The specified log group does not exist."},
			Error{"PutLogEvents", "ResourceNotFoundException", "The specified log group does not exist."},
			"PutLogEvents failed: ResourceNotFoundException: The specified log group does not exist."},
		{"PutLogEvents", fakeaws.Fault{Status: 400, Code: "InvalidParameterException", Message: "Log event too large"},
			Error{"PutLogEvents", "InvalidParameterException", "Log event too large"}, "PutLogEvents failed: InvalidParameterException: Log event too large"},
		{"GetObject", fakeaws.Fault{Status: 503, Code: "SlowDown", Message: "Please reduce your request rate."}, Error{}, ""},
		{"GetObject", fakeaws.Fault{Status: 500, Code: "InternalError", Message: "We encountered an internal error. Please try again."}, Error{}, ""},
		{"PutLogEvents", fakeaws.Fault{Status: 400, Code: "ThrottlingException", Message: "Rate exceeded"}, Error{}, ""},
		{"PutLogEvents", fakeaws.Fault{Status: 503, Code: "ServiceUnavailableException", Message: "The service cannot complete the request."}, Error{}, ""},
		// A code AWS might add one day with a 5xx stays transient.
		{"PutLogEvents", fakeaws.Fault{Status: 502, Code: "AccessDeniedException", Message: "bad gateway"}, Error{}, ""},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s %d %s", c.op, c.fault.Status, c.fault.Code), func(t *testing.T) {
			fake := fakeaws.New(t)
			fake.FailNext(c.op, c.fault)
			err := call(t, fake.Config(), c.op)
			if err == nil {
				t.Fatal("the call succeeded")
			}
			got, ok := AsPermanent(fmt.Errorf("context: %w", err))
			if ok != (c.reason != "") || got != c.want {
				t.Fatalf("AsPermanent(%v) = %+v, %v; want %+v, %v", err, got, ok, c.want, c.reason != "")
			}
			if ok && got.Reason() != c.reason {
				t.Errorf("Reason()\n got %s\nwant %s", got.Reason(), c.reason)
			}
		})
	}
}

func TestNetworkErrorsAreTransient(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now: connection refused
	cfg := fakeaws.New(t).Config()
	cfg.BaseEndpoint = aws.String("http://" + addr)
	err = call(t, cfg, "PutLogEvents")
	if err == nil {
		t.Fatal("a call to a closed port succeeded")
	}
	if e, ok := AsPermanent(err); ok {
		t.Fatalf("AsPermanent(%v) = %+v, want transient", err, e)
	}
	if code, msg := CodeAndMessage(err); code != "" || msg != err.Error() {
		t.Errorf("CodeAndMessage = %q, %q", code, msg)
	}
	if _, ok := AsPermanent(errors.New("not from AWS")); ok {
		t.Error("a plain error is permanent")
	}
}

func call(t *testing.T, cfg aws.Config, op string) error {
	t.Helper()
	ctx := context.Background()
	switch op {
	case "GetObject":
		_, err := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).GetObject(ctx,
			&s3.GetObjectInput{Bucket: aws.String("b"), Key: aws.String("k")})
		return err
	case "PutLogEvents":
		_, err := cloudwatchlogs.NewFromConfig(cfg).PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{
			LogGroupName: aws.String("g"), LogStreamName: aws.String("s"),
			LogEvents: []types.InputLogEvent{{Message: aws.String("m"), Timestamp: aws.Int64(1)}}})
		return err
	}
	t.Fatalf("no call for %s", op)
	return nil
}
