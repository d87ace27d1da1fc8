package logs_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"

	"github.com/tracebridge/tracebridge/testharness/localcloud/logs"
)

const benchEvents = 100000

// seedAudit writes benchEvents audit-style messages over 10 streams, one
// of them the entry the benchmark's pattern looks for.
func seedAudit(b *testing.B, e *env) {
	b.Helper()
	const streams = 10
	for s := range streams {
		name := fmt.Sprintf("2026/03/01/[$LATEST]%032d", s)
		events := make([]logs.InputEvent, 0, benchEvents/streams)
		for i := range benchEvents / streams {
			pk := fmt.Sprintf("USER#%d-%d", s, i)
			events = append(events, logs.InputEvent{Timestamp: start.Add(-time.Hour + time.Duration(i)*time.Millisecond), Message: auditMessage(pk, "PROFILE")})
		}
		if err := e.svc.PutEvents(e.ctx, "audit", name, events); err != nil {
			b.Fatal(err)
		}
	}
}

const benchPattern = `{ ($.EventType = "UserCreated") && ($.PK.S = "USER#7-4242") }`

func BenchmarkFilterJSONGoAPI(b *testing.B) {
	e := newEnv(b, logs.Options{CreateMissingGroups: true})
	seedAudit(b, e)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		page, err := e.svc.Filter(e.ctx, logs.FilterQuery{Group: "audit", FilterPattern: benchPattern})
		if err != nil || len(page.Events) != 1 {
			b.Fatalf("%d events, %v", len(page.Events), err)
		}
	}
	b.ReportMetric(float64(benchEvents)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

func BenchmarkFilterJSONSDK(b *testing.B) {
	e := newEnv(b, logs.Options{CreateMissingGroups: true})
	seedAudit(b, e)
	in := &cwl.FilterLogEventsInput{LogGroupName: aws.String("audit"), FilterPattern: aws.String(benchPattern)}
	b.ResetTimer()
	for b.Loop() {
		out, err := e.client.FilterLogEvents(e.ctx, in)
		if err != nil || len(out.Events) != 1 {
			b.Fatalf("%v, %v", out, err)
		}
	}
	b.ReportMetric(float64(benchEvents)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
