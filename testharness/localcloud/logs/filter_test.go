package logs_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/tracebridge/tracebridge/testharness/localcloud/logs"
)

// auditMessage is the audit Lambda's entry (DESIGN.md).
func auditMessage(pk, sk string) string {
	return fmt.Sprintf(`{"EventType":"UserCreated","PK":{"S":"%s"},"SK":{"S":"%s"}}`, pk, sk)
}

func (e *env) filter(t *testing.T, in cwl.FilterLogEventsInput) []types.FilteredLogEvent {
	t.Helper()
	if in.LogGroupName == nil && in.LogGroupIdentifier == nil {
		in.LogGroupName = aws.String("g")
	}
	var all []types.FilteredLogEvent
	p := cwl.NewFilterLogEventsPaginator(e.client, &in)
	for pages := 0; p.HasMorePages(); pages++ {
		if pages > 100 {
			t.Fatal("the paginator does not stop")
		}
		page, err := p.NextPage(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page.Events...)
	}
	return all
}

func TestFilterLogEventsJSONFindsExactlyTheAuditEntry(t *testing.T) {
	e := newEnv(t, logs.Options{})
	e.mustGroupStream(t, "g", "2026/03/01/[$LATEST]aaa", "2026/03/01/[$LATEST]bbb")
	e.put(t, "g", "2026/03/01/[$LATEST]aaa",
		ev(0, "START RequestId: 1 Version: $LATEST"),
		ev(time.Millisecond, auditMessage("USER#alice", "PROFILE")),
		ev(2*time.Millisecond, auditMessage("USER#alice2", "PROFILE")),
		ev(3*time.Millisecond, `{"EventType":"UserDeleted","PK":{"S":"USER#bob"},"SK":{"S":"PROFILE"}}`))
	e.put(t, "g", "2026/03/01/[$LATEST]bbb",
		ev(time.Millisecond, auditMessage("USER#bob", "PROFILE")),
		ev(2*time.Millisecond, "not json USER#bob"))

	got := e.filter(t, cwl.FilterLogEventsInput{FilterPattern: aws.String(`{ ($.EventType = "UserCreated") && ($.PK.S = "USER#bob") }`)})
	if len(got) != 1 {
		t.Fatalf("got %d events %v, want exactly one", len(got), filteredMessages(got))
	}
	g := got[0]
	if aws.ToString(g.Message) != auditMessage("USER#bob", "PROFILE") || aws.ToString(g.LogStreamName) != "2026/03/01/[$LATEST]bbb" ||
		aws.ToInt64(g.Timestamp) != ms(time.Millisecond) || aws.ToInt64(g.IngestionTime) != ms(0) || aws.ToString(g.EventId) == "" {
		t.Errorf("event %+v", g)
	}
}

func TestFilterLogEventsTermsDelimitedAndInterleaving(t *testing.T) {
	e := newEnv(t, logs.Options{})
	e.mustGroupStream(t, "g", "web-1", "web-2", "worker")
	e.put(t, "g", "web-1", ev(0, "127.0.0.1 GET /a 200 10"), ev(2*time.Second, "127.0.0.1 GET /b 404 20"), ev(4*time.Second, "ERROR boom"))
	e.put(t, "g", "web-2", ev(1*time.Second, "10.0.0.1 GET /c 500 30"), ev(2*time.Second, "10.0.0.1 GET /d 404 40"))
	e.put(t, "g", "worker", ev(3*time.Second, "ERROR timeout"), ev(5*time.Second, "WARN slow"))

	all := e.filter(t, cwl.FilterLogEventsInput{})
	if got := strings.Join(filteredMessages(all), "|"); got != "127.0.0.1 GET /a 200 10|10.0.0.1 GET /c 500 30|127.0.0.1 GET /b 404 20|10.0.0.1 GET /d 404 40|ERROR timeout|ERROR boom|WARN slow" {
		t.Errorf("interleaved by timestamp then ingestion: %s", got)
	}
	cases := []struct {
		name string
		in   cwl.FilterLogEventsInput
		want string
	}{
		{"term", cwl.FilterLogEventsInput{FilterPattern: aws.String("ERROR")}, "ERROR timeout|ERROR boom"},
		{"optional terms", cwl.FilterLogEventsInput{FilterPattern: aws.String("?WARN ?timeout")}, "ERROR timeout|WARN slow"},
		{"space-delimited", cwl.FilterLogEventsInput{FilterPattern: aws.String("[ip, method, path, status = 4*, bytes > 25]")}, "10.0.0.1 GET /d 404 40"},
		{"stream names", cwl.FilterLogEventsInput{FilterPattern: aws.String("GET"), LogStreamNames: []string{"web-2"}}, "10.0.0.1 GET /c 500 30|10.0.0.1 GET /d 404 40"},
		{"stream prefix", cwl.FilterLogEventsInput{FilterPattern: aws.String("ERROR"), LogStreamNamePrefix: aws.String("web")}, "ERROR boom"},
		{"time window", cwl.FilterLogEventsInput{StartTime: aws.Int64(ms(2 * time.Second)), EndTime: aws.Int64(ms(4 * time.Second))}, "127.0.0.1 GET /b 404 20|10.0.0.1 GET /d 404 40|ERROR timeout"},
	}
	for _, c := range cases {
		if got := strings.Join(filteredMessages(e.filter(t, c.in)), "|"); got != c.want {
			t.Errorf("%s: got %s, want %s", c.name, got, c.want)
		}
	}

	_, err := e.client.FilterLogEvents(e.ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String("g"), LogStreamNames: []string{"web-1"}, LogStreamNamePrefix: aws.String("w")})
	wantAPIError(t, err, "InvalidParameterException", "")
	_, err = e.client.FilterLogEvents(e.ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String("g"), FilterPattern: aws.String("{ $.a = 1")})
	wantAPIError(t, err, "InvalidParameterException", "If a filter pattern starts with '{' it must end with '}'")
	_, err = e.client.FilterLogEvents(e.ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String("g"), FilterPattern: aws.String("a:b")})
	wantAPIError(t, err, "InvalidParameterException", "Invalid character(s) in term ':'")
	_, err = e.client.FilterLogEvents(e.ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String("g"), NextToken: aws.String("bogus")})
	wantAPIError(t, err, "InvalidParameterException", "The specified nextToken is invalid.")
	_, err = e.client.FilterLogEvents(e.ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String("nope")})
	wantAPIError(t, err, "ResourceNotFoundException", "The specified log group does not exist.")
}

func TestFilterLogEventsPagesWithNextToken(t *testing.T) {
	e := newEnv(t, logs.Options{})
	e.mustGroupStream(t, "g", "a", "b")
	var a, b []types.InputLogEvent
	for i := range 25 {
		a = append(a, ev(time.Duration(2*i)*time.Millisecond, fmt.Sprintf("match a%02d", 2*i)))
		b = append(b, ev(time.Duration(2*i+1)*time.Millisecond, fmt.Sprintf("match b%02d", 2*i+1)))
		b = append(b, ev(time.Duration(2*i+1)*time.Millisecond, "skip"))
	}
	e.put(t, "g", "a", a...)
	e.put(t, "g", "b", b...)

	first, err := e.client.FilterLogEvents(e.ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String("g"), FilterPattern: aws.String("match"), Limit: aws.Int32(7)})
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Events) != 7 || first.NextToken == nil {
		t.Fatalf("first page: %d events, token %v", len(first.Events), first.NextToken)
	}
	got := e.filter(t, cwl.FilterLogEventsInput{FilterPattern: aws.String("match"), Limit: aws.Int32(7)})
	if len(got) != 50 {
		t.Fatalf("paged through %d events, want 50", len(got))
	}
	for i, g := range got {
		want := fmt.Sprintf("match a%02d", i)
		if i%2 == 1 {
			want = fmt.Sprintf("match b%02d", i)
		}
		if aws.ToString(g.Message) != want {
			t.Fatalf("event %d = %q, want %q", i, aws.ToString(g.Message), want)
		}
	}
}
