package logs_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
	"github.com/tracebridge/tracebridge/testharness/localcloud/logs"
)

func TestPutEventsCreatesStreamsAndGroupsOnlyWhenAsked(t *testing.T) {
	e := newEnv(t, logs.Options{})
	err := e.svc.PutEvents(e.ctx, "/aws/lambda/fn", "2026/03/01/[$LATEST]abc", []logs.InputEvent{{Timestamp: start, Message: "hi"}})
	var apiErr *awsproto.Error
	if !errors.As(err, &apiErr) || apiErr.Code != "ResourceNotFoundException" {
		t.Fatalf("missing group without CreateMissingGroups: %v", err)
	}

	e = newEnv(t, logs.Options{CreateMissingGroups: true})
	events := []logs.InputEvent{
		{Timestamp: start.Add(time.Second), Message: "second"},
		{Timestamp: start, Message: "first"},
		{Timestamp: start, Message: ""},
		{Timestamp: start.Add(-30 * 24 * time.Hour), Message: "too old"},
	}
	if err := e.svc.PutEvents(e.ctx, "/aws/lambda/fn", "2026/03/01/[$LATEST]abc", events); err != nil {
		t.Fatal(err)
	}
	out, err := e.client.GetLogEvents(e.ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("/aws/lambda/fn"),
		LogStreamName: aws.String("2026/03/01/[$LATEST]abc"), StartFromHead: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(messages(out.Events), ","); got != "first,second" {
		t.Errorf("stored %q; want sorted, empty and too old dropped", got)
	}
}

func TestSubscribeDeliversStoredEvents(t *testing.T) {
	e := newEnv(t, logs.Options{})
	e.mustGroupStream(t, "audit", "s")
	e.mustGroupStream(t, "other", "s")
	got := make(chan logs.Event, 10)
	cancel := e.svc.Subscribe("audit", func(ev logs.Event) { got <- ev })

	e.put(t, "other", "s", ev(0, "elsewhere"))
	e.put(t, "audit", "s", ev(0, auditMessage("USER#1", "P")))
	if err := e.svc.PutEvents(context.Background(), "audit", "lambda", []logs.InputEvent{{Timestamp: start, Message: "via Go"}}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{auditMessage("USER#1", "P"), "via Go"} {
		select {
		case ev := <-got:
			if ev.Message != want || ev.Group != "audit" || !ev.Timestamp.Equal(start) || ev.EventID == "" {
				t.Errorf("event %+v, want message %q in group audit at %v", ev, want, start)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("no event %q delivered", want)
		}
	}
	cancel()
	e.put(t, "audit", "s", ev(0, "after cancel"))
	select {
	case ev := <-got:
		t.Errorf("delivered after cancel: %+v", ev)
	default:
	}
}

func TestFilterGoAPIPagesLikeTheOperation(t *testing.T) {
	e := newEnv(t, logs.Options{})
	e.mustGroupStream(t, "g", "s")
	e.put(t, "g", "s", ev(0, "a 1"), ev(time.Millisecond, "b"), ev(2*time.Millisecond, "a 2"), ev(3*time.Millisecond, "a 3"))
	page, err := e.svc.Filter(e.ctx, logs.FilterQuery{Group: "g", FilterPattern: "a", Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Events) != 2 || page.Events[1].Message != "a 2" || page.NextToken == "" {
		t.Fatalf("first page %+v", page)
	}
	page, err = e.svc.Filter(e.ctx, logs.FilterQuery{Group: "g", FilterPattern: "a", Limit: 2, NextToken: page.NextToken})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Events) != 1 || page.Events[0].Message != "a 3" || page.NextToken != "" {
		t.Errorf("second page %+v", page)
	}
}
