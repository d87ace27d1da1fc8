package completion

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/eventbridge"

	"github.com/tracebridge/tracebridge/handlers/internal/awserr"
	"github.com/tracebridge/tracebridge/handlers/internal/fakeaws"
)

// TestPermanentFailuresAreNotRetried: a denied PutEvents fails at once,
// with AWS's code and message; a throttled one is tried again.
func TestPermanentFailuresAreNotRetried(t *testing.T) {
	denial := "User: arn:aws:sts::000000000000:assumed-role/AuditRole/fn is not authorized to perform: events:PutEvents on resource: arn:aws:events:us-east-1:000000000000:event-bus/app-bus because no identity-based policy allows the events:PutEvents action"
	cases := []struct {
		fault     fakeaws.Fault
		calls     int
		permanent bool
	}{
		{fakeaws.Fault{Status: http.StatusBadRequest, Code: "AccessDeniedException", Message: denial}, 1, true},
		{fakeaws.Fault{Status: http.StatusBadRequest, Code: "ThrottlingException", Message: "Rate exceeded"}, 2, false},
	}
	for _, c := range cases {
		t.Run(c.fault.Code, func(t *testing.T) {
			fake := fakeaws.New(t)
			p := &Publisher{Client: eventbridge.NewFromConfig(fake.Config()), Bus: "app-bus", Backoff: func(int) time.Duration { return 0 }}
			fake.FailNext("PutEvents", c.fault)
			err := p.PublishOne(context.Background(), "Something", map[string]string{"a": "b"})
			if n := len(fake.Requests("PutEvents")); n != c.calls {
				t.Fatalf("%d PutEvents calls, want %d", n, c.calls)
			}
			e, permanent := awserr.AsPermanent(err)
			if permanent != c.permanent {
				t.Fatalf("PublishOne = %v, permanent %v, want %v", err, permanent, c.permanent)
			}
			if permanent && (e.Code != c.fault.Code || e.Message != denial || e.Reason() != "events:PutEvents denied: "+denial) {
				t.Errorf("error %+v, reason %q", e, e.Reason())
			}
		})
	}
}
