package xray

import (
	"encoding/json"
	"errors"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsxray "github.com/aws/aws-sdk-go-v2/service/xray"
	"github.com/aws/aws-sdk-go-v2/service/xray/types"
	"github.com/aws/smithy-go"

	"github.com/tracebridge/tracebridge/testharness/localcloud/clock"
	"github.com/tracebridge/tracebridge/testharness/localcloud/internal/awstest"
	"github.com/tracebridge/tracebridge/testharness/localcloud/xray/traceheader"
)

// doc renders a segment document.
func doc(t *testing.T, fields map[string]any) string {
	t.Helper()
	b, err := json.Marshal(fields)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func seg(traceID, id, name string, start, end float64) map[string]any {
	m := map[string]any{"trace_id": traceID, "id": id, "name": name, "start_time": start}
	if end > 0 {
		m["end_time"] = end
	}
	return m
}

func (e *env) put(t *testing.T, docs ...string) []types.UnprocessedTraceSegment {
	t.Helper()
	out, err := e.client.PutTraceSegments(ctx(), &awsxray.PutTraceSegmentsInput{TraceSegmentDocuments: docs})
	if err != nil {
		t.Fatalf("PutTraceSegments: %v", err)
	}
	return out.UnprocessedTraceSegments
}

func (e *env) summaries(t *testing.T, filter string) []types.TraceSummary {
	t.Helper()
	start, end := window()
	in := &awsxray.GetTraceSummariesInput{StartTime: start, EndTime: end}
	if filter != "" {
		in.FilterExpression = aws.String(filter)
	}
	out, err := e.client.GetTraceSummaries(ctx(), in)
	if err != nil {
		t.Fatalf("GetTraceSummaries(%q): %v", filter, err)
	}
	return out.TraceSummaries
}

func ids(sums []types.TraceSummary) []string {
	var out []string
	for _, s := range sums {
		out = append(out, aws.ToString(s.Id))
	}
	sort.Strings(out)
	return out
}

func apiErrorCode(t *testing.T, err error) (code, msg string) {
	t.Helper()
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("want an API error, got %v", err)
	}
	return apiErr.ErrorCode(), apiErr.ErrorMessage()
}

func now() float64 { return float64(time.Now().UnixNano()) / 1e9 }

func TestPutTraceSegmentsReportsUnprocessed(t *testing.T) {
	e := newEnv(t, nil)
	tid := traceheader.NewTraceID(time.Now())
	n := now()
	missingEnd := seg(tid, traceheader.NewSegmentID(), "a", n, 0)
	noName := seg(tid, "1111111111111111", "", n, n+1)
	badTrace := seg("1-abc", "2222222222222222", "a", n, n+1)
	subNoParent := seg(tid, "3333333333333333", "s", n, n+1)
	subNoParent["type"] = "subsegment"
	good := seg(tid, traceheader.NewSegmentID(), "good", n, n+1)

	un := e.put(t, doc(t, good), doc(t, missingEnd), doc(t, noName), doc(t, badTrace), doc(t, subNoParent),
		`{"trace_id": "nope"`, doc(t, map[string]any{"name": "x"}))
	got := map[string]string{}
	for _, u := range un {
		got[aws.ToString(u.ErrorCode)] = aws.ToString(u.Id)
		if want := "Invalid segment. ErrorCode: " + aws.ToString(u.ErrorCode); aws.ToString(u.Message) != want {
			t.Errorf("message %q, want %q", aws.ToString(u.Message), want)
		}
	}
	want := map[string]string{"MissingEndTime": missingEnd["id"].(string), "MissingName": "1111111111111111",
		"InvalidTraceId": "2222222222222222", "MissingParentId": "3333333333333333", "ParseError": "", "MissingId": ""}
	if len(got) != len(want) {
		t.Fatalf("unprocessed = %v, want %v", got, want)
	}
	for code, id := range want {
		if gotID, ok := got[code]; !ok || gotID != id {
			t.Errorf("unprocessed %s: id %q (present %v), want %q", code, gotID, ok, id)
		}
	}
	if sums := e.summaries(t, ""); len(sums) != 1 || aws.ToString(sums[0].Id) != tid {
		t.Errorf("summaries = %v, want only %s", ids(sums), tid)
	}
	if st := e.svc.Stats(); st.Segments != 1 || st.Rejected != 6 {
		t.Errorf("stats = %+v, want 1 stored and 6 rejected", st)
	}

	_, err := e.client.PutTraceSegments(ctx(), &awsxray.PutTraceSegmentsInput{TraceSegmentDocuments: []string{}})
	if code, _ := apiErrorCode(t, err); code != "InvalidRequestException" {
		t.Errorf("empty PutTraceSegments: %s", code)
	}
}

func TestInProgressSegmentIsReplacedByComplete(t *testing.T) {
	e := newEnv(t, nil)
	tid, id := traceheader.NewTraceID(time.Now()), traceheader.NewSegmentID()
	n := now()
	open := seg(tid, id, "api", n, 0)
	open["in_progress"] = true
	e.put(t, doc(t, open))

	sums := e.summaries(t, "partial")
	if len(sums) != 1 || !aws.ToBool(sums[0].IsPartial) {
		t.Fatalf("in-progress trace: %v partial=%v", ids(sums), sums)
	}
	done := seg(tid, id, "api", n, n+2)
	done["http"] = map[string]any{"response": map[string]any{"status": 200}}
	e.put(t, doc(t, done))
	// A late in-progress copy (UDP reorders) must not undo the completion.
	e.put(t, doc(t, open))

	if got := e.summaries(t, "partial"); len(got) != 0 {
		t.Fatalf("completed trace still partial: %v", ids(got))
	}
	sums = e.summaries(t, "ok AND duration >= 2")
	if len(sums) != 1 || aws.ToFloat64(sums[0].Duration) != 2 || aws.ToFloat64(sums[0].ResponseTime) != 2 {
		t.Fatalf("completed trace summary: %+v", sums)
	}
	out, err := e.client.BatchGetTraces(ctx(), &awsxray.BatchGetTracesInput{TraceIds: []string{tid}})
	if err != nil {
		t.Fatal(err)
	}
	if segs := out.Traces[0].Segments; len(segs) != 1 || strings.Contains(aws.ToString(segs[0].Document), "in_progress") {
		t.Errorf("segments after completion: %+v", segs)
	}
}

func TestBatchGetTracesNestsSubsegmentsSentAlone(t *testing.T) {
	e := newEnv(t, nil)
	tid := traceheader.NewTraceID(time.Now())
	n := now()
	root := seg(tid, "aaaaaaaaaaaaaaaa", "api", n, n+1)
	root["subsegments"] = []any{seg("", "bbbbbbbbbbbbbbbb", "embedded", n, n+0.5)}
	delete(root["subsegments"].([]any)[0].(map[string]any), "trace_id")
	child := seg(tid, "cccccccccccccccc", "sent-alone", n+0.1, n+0.4)
	child["type"], child["parent_id"] = "subsegment", "bbbbbbbbbbbbbbbb"
	grandchild := seg(tid, "dddddddddddddddd", "deeper", n+0.2, n+0.3)
	grandchild["type"], grandchild["parent_id"] = "subsegment", "cccccccccccccccc"
	// Sent before its parent: attached all the same.
	e.put(t, doc(t, grandchild), doc(t, child), doc(t, root))

	out, err := e.client.BatchGetTraces(ctx(), &awsxray.BatchGetTracesInput{TraceIds: []string{tid, "1-00000000-000000000000000000000000"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.UnprocessedTraceIds) != 1 || out.UnprocessedTraceIds[0] != "1-00000000-000000000000000000000000" {
		t.Errorf("UnprocessedTraceIds = %v", out.UnprocessedTraceIds)
	}
	tr := out.Traces[0]
	if aws.ToString(tr.Id) != tid || aws.ToFloat64(tr.Duration) != 1 || len(tr.Segments) != 1 {
		t.Fatalf("trace = %+v", tr)
	}
	var d struct {
		ID          string `json:"id"`
		Subsegments []struct {
			ID          string `json:"id"`
			Subsegments []struct {
				ID          string `json:"id"`
				Type        string `json:"type"`
				ParentID    string `json:"parent_id"`
				Subsegments []struct {
					ID string `json:"id"`
				} `json:"subsegments"`
			} `json:"subsegments"`
		} `json:"subsegments"`
	}
	if err := json.Unmarshal([]byte(aws.ToString(tr.Segments[0].Document)), &d); err != nil {
		t.Fatal(err)
	}
	if d.ID != "aaaaaaaaaaaaaaaa" || len(d.Subsegments) != 1 || len(d.Subsegments[0].Subsegments) != 1 {
		t.Fatalf("document = %s", aws.ToString(tr.Segments[0].Document))
	}
	sub := d.Subsegments[0].Subsegments[0]
	if sub.ID != "cccccccccccccccc" || sub.Type != "" || sub.ParentID != "" ||
		len(sub.Subsegments) != 1 || sub.Subsegments[0].ID != "dddddddddddddddd" {
		t.Errorf("nested subsegment = %+v", sub)
	}

	_, err = e.client.BatchGetTraces(ctx(), &awsxray.BatchGetTracesInput{TraceIds: []string{tid, tid, tid, tid, tid, tid}})
	if code, _ := apiErrorCode(t, err); code != "InvalidRequestException" {
		t.Errorf("6 trace ids: %s", code)
	}
}

func TestGetTraceSummariesFiltersAndShapes(t *testing.T) {
	e := newEnv(t, nil)
	n := now()
	mk := func(name string, status int, annots map[string]any, user string) string {
		tid := traceheader.NewTraceID(time.Now())
		s := seg(tid, traceheader.NewSegmentID(), name, n, n+float64(status)/1000)
		s["http"] = map[string]any{"request": map[string]any{"method": "GET", "url": "https://x.example/" + name},
			"response": map[string]any{"status": status}}
		s["annotations"] = annots
		if user != "" {
			s["user"] = user
		}
		if status == 429 {
			s["throttle"] = true
		}
		e.put(t, doc(t, s))
		return tid
	}
	okID := mk("orders", 200, map[string]any{"correlation_id": "c-1", "attempt": 1, "replay": false}, "alice")
	faultID := mk("orders", 503, map[string]any{"correlation_id": "c-2", "attempt": 3}, "")
	errID := mk("billing", 404, map[string]any{"correlation_id": "c-1"}, "bob")
	throttleID := mk("billing", 429, nil, "")

	for filter, want := range map[string][]string{
		`annotation.correlation_id = "c-1"`: {okID, errID},
		`annotation.attempt >= 2`:           {faultID},
		`annotation.replay = false`:         {okID},
		`fault`:                             {faultID},
		`error`:                             {errID, throttleID},
		`throttle`:                          {throttleID},
		`ok`:                                {okID},
		`http.status = 503`:                 {faultID},
		`http.url ENDSWITH "/billing" AND !throttle`: {errID},
		`user CONTAINS ""`:                           {okID, errID},
		`service("orders") { fault }`:                {faultID},
		`responsetime > 0.45`:                        {faultID},
		`NOT service("orders")`:                      {errID, throttleID},
	} {
		got := ids(e.summaries(t, filter))
		sort.Strings(want)
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s: got %v, want %v", filter, got, want)
		}
	}

	sums := e.summaries(t, `annotation.correlation_id = "c-1" AND user = "alice"`)
	if len(sums) != 1 {
		t.Fatalf("want one summary, got %v", ids(sums))
	}
	s := sums[0]
	if aws.ToString(s.Http.HttpURL) != "https://x.example/orders" || aws.ToInt32(s.Http.HttpStatus) != 200 ||
		aws.ToString(s.Http.HttpMethod) != "GET" {
		t.Errorf("Http = %+v", s.Http)
	}
	if aws.ToString(s.EntryPoint.Name) != "orders" || len(s.ServiceIds) != 1 || aws.ToString(s.ServiceIds[0].Name) != "orders" {
		t.Errorf("EntryPoint %+v ServiceIds %+v", s.EntryPoint, s.ServiceIds)
	}
	if len(s.Users) != 1 || aws.ToString(s.Users[0].UserName) != "alice" {
		t.Errorf("Users = %+v", s.Users)
	}
	vals := s.Annotations["correlation_id"]
	if len(vals) != 1 {
		t.Fatalf("Annotations = %+v", s.Annotations)
	}
	if sv, ok := vals[0].AnnotationValue.(*types.AnnotationValueMemberStringValue); !ok || sv.Value != "c-1" ||
		len(vals[0].ServiceIds) != 1 || aws.ToString(vals[0].ServiceIds[0].Name) != "orders" {
		t.Errorf("correlation_id = %#v", vals[0])
	}
	if nv, ok := s.Annotations["attempt"][0].AnnotationValue.(*types.AnnotationValueMemberNumberValue); !ok || nv.Value != 1 {
		t.Errorf("attempt = %#v", s.Annotations["attempt"])
	}
	if bv, ok := s.Annotations["replay"][0].AnnotationValue.(*types.AnnotationValueMemberBooleanValue); !ok || bv.Value {
		t.Errorf("replay = %#v", s.Annotations["replay"])
	}

	start, end := window()
	_, err := e.client.GetTraceSummaries(ctx(), &awsxray.GetTraceSummariesInput{StartTime: start, EndTime: end,
		FilterExpression: aws.String(`annotation.x = `)})
	code, msg := apiErrorCode(t, err)
	if code != "InvalidRequestException" || !strings.HasPrefix(msg, "Invalid filter expression: ") {
		t.Errorf("bad filter: %s %q", code, msg)
	}
	out, err := e.client.GetTraceSummaries(ctx(), &awsxray.GetTraceSummariesInput{StartTime: start, EndTime: end,
		FilterExpression: aws.String("fault")})
	if err != nil || aws.ToInt64(out.TracesProcessedCount) != 4 || out.ApproximateTime == nil {
		t.Errorf("TracesProcessedCount/ApproximateTime: %v %+v", err, out)
	}
}

func TestGetTraceSummariesTimeRangeTypes(t *testing.T) {
	e := newEnv(t, nil)
	// A trace id from two hours ago whose segment is active now.
	old := time.Now().Add(-2 * time.Hour)
	tid := traceheader.NewTraceID(old)
	e.put(t, doc(t, seg(tid, traceheader.NewSegmentID(), "late", now(), now()+1)))

	start, end := time.Now().Add(-10*time.Minute), time.Now().Add(10*time.Minute)
	count := func(kind types.TimeRangeType) int {
		out, err := e.client.GetTraceSummaries(ctx(), &awsxray.GetTraceSummariesInput{StartTime: &start, EndTime: &end,
			TimeRangeType: kind})
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		return len(out.TraceSummaries)
	}
	if got := count(types.TimeRangeTypeTraceId); got != 0 {
		t.Errorf("TraceId range: %d traces, want 0 (the id says two hours ago)", got)
	}
	if got := count(types.TimeRangeTypeEvent); got != 1 {
		t.Errorf("Event range: %d traces, want 1", got)
	}
	if got := count(types.TimeRangeTypeService); got != 1 {
		t.Errorf("Service range: %d traces, want 1", got)
	}
	_, err := e.client.GetTraceSummaries(ctx(), &awsxray.GetTraceSummariesInput{StartTime: &end, EndTime: &start})
	if code, _ := apiErrorCode(t, err); code != "InvalidRequestException" {
		t.Errorf("reversed window: %s", code)
	}
}

func TestGetTraceSummariesPages(t *testing.T) {
	e := newEnv(t, nil)
	var docs []string
	for i := range 250 {
		docs = append(docs, doc(t, seg(traceheader.NewTraceID(time.Now()), traceheader.NewSegmentID(), "p", now()+float64(i), now()+float64(i)+1)))
	}
	e.put(t, docs...)
	start, end := window()
	p := awsxray.NewGetTraceSummariesPaginator(e.client, &awsxray.GetTraceSummariesInput{StartTime: start, EndTime: end})
	seen, pages := map[string]bool{}, 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx())
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, s := range out.TraceSummaries {
			seen[aws.ToString(s.Id)] = true
		}
	}
	if len(seen) != 250 || pages != 3 {
		t.Errorf("%d distinct traces in %d pages, want 250 in 3", len(seen), pages)
	}
}

func TestRetentionOnInjectedClock(t *testing.T) {
	fake := clock.NewFake(time.Now())
	e := newEnv(t, fake)
	tid := traceheader.NewTraceID(time.Now())
	e.put(t, doc(t, seg(tid, traceheader.NewSegmentID(), "kept", now(), now()+1)))

	get := func() int {
		out, err := e.client.BatchGetTraces(ctx(), &awsxray.BatchGetTracesInput{TraceIds: []string{tid}})
		if err != nil {
			t.Fatal(err)
		}
		return len(out.Traces)
	}
	fake.Advance(Retention - time.Hour)
	if get() != 1 {
		t.Fatal("trace gone before 30 days")
	}
	fake.Advance(2 * time.Hour)
	if get() != 0 {
		t.Fatal("trace kept after 30 days")
	}
}

func TestServiceAndTraceGraph(t *testing.T) {
	e := newEnv(t, nil)
	tid := traceheader.NewTraceID(time.Now())
	n := now()
	front := seg(tid, "aaaaaaaaaaaaaaaa", "front", n, n+1)
	call := seg("", "bbbbbbbbbbbbbbbb", "back", n+0.1, n+0.8)
	call["namespace"] = "remote"
	s3 := seg("", "cccccccccccccccc", "S3", n+0.1, n+0.2)
	s3["namespace"], s3["http"] = "aws", map[string]any{"response": map[string]any{"status": 503}}
	front["subsegments"] = []any{call, s3}
	back := seg(tid, "dddddddddddddddd", "back", n+0.2, n+0.7)
	back["parent_id"] = "bbbbbbbbbbbbbbbb"
	back["origin"] = "AWS::EC2::Instance"
	e.put(t, doc(t, front), doc(t, back))

	start, end := window()
	sg, err := e.client.GetServiceGraph(ctx(), &awsxray.GetServiceGraphInput{StartTime: start, EndTime: end})
	if err != nil {
		t.Fatal(err)
	}
	tg, err := e.client.GetTraceGraph(ctx(), &awsxray.GetTraceGraphInput{TraceIds: []string{tid}})
	if err != nil {
		t.Fatal(err)
	}
	for name, services := range map[string][]types.Service{"service graph": sg.Services, "trace graph": tg.Services} {
		byRef := map[int32]types.Service{}
		byName := map[string]types.Service{}
		for _, s := range services {
			byRef[aws.ToInt32(s.ReferenceId)] = s
			byName[aws.ToString(s.Name)+"|"+aws.ToString(s.Type)] = s
		}
		f, ok := byName["front|"]
		if !ok || !aws.ToBool(f.Root) || len(services) != 4 {
			t.Fatalf("%s: nodes %v", name, byName)
		}
		var targets []string
		for _, edge := range f.Edges {
			to := byRef[aws.ToInt32(edge.ReferenceId)]
			targets = append(targets, aws.ToString(to.Name)+"|"+aws.ToString(to.Type))
			if aws.ToString(to.Name) == "S3" && aws.ToInt64(edge.SummaryStatistics.FaultStatistics.TotalCount) != 1 {
				t.Errorf("%s: S3 edge statistics %+v", name, edge.SummaryStatistics)
			}
		}
		sort.Strings(targets)
		if want := "S3|AWS::S3,back|AWS::EC2::Instance,back|remote"; strings.Join(targets, ",") != want {
			t.Errorf("%s: front's edges go to %v, want %s", name, targets, want)
		}
		if st := f.SummaryStatistics; aws.ToInt64(st.TotalCount) != 1 || aws.ToInt64(st.OkCount) != 1 {
			t.Errorf("%s: front statistics %+v", name, st)
		}
	}
	// The same graph answers filter expressions about edges and inferred nodes.
	if got := e.summaries(t, `edge("front", "S3") { fault }`); len(got) != 1 {
		t.Errorf("edge filter matched %v", ids(got))
	}
	if got := e.summaries(t, `service(id(name: "back", type: "AWS::EC2::Instance")) AND !fault`); len(got) != 1 {
		t.Errorf("service id filter matched %v", ids(got))
	}
}

func TestSamplingAndProxyOverDaemonTCP(t *testing.T) {
	e := newEnv(t, nil)
	addr, err := e.svc.ListenDaemon("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	// The SDKs send these unsigned to the daemon's TCP port, the UDP port's number.
	proxy := awsxray.NewFromConfig(awstest.Config(t, "http://"+addr))
	rules, err := proxy.GetSamplingRules(ctx(), &awsxray.GetSamplingRulesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rules.SamplingRuleRecords) != 1 {
		t.Fatalf("rules = %+v", rules.SamplingRuleRecords)
	}
	r := rules.SamplingRuleRecords[0].SamplingRule
	if aws.ToString(r.RuleName) != "Default" || r.FixedRate != 1 || r.ReservoirSize != 1 || r.Priority == nil ||
		*r.Priority != 10000 || aws.ToString(r.ServiceName) != "*" {
		t.Errorf("rule = %+v", r)
	}
	targets, err := proxy.GetSamplingTargets(ctx(), &awsxray.GetSamplingTargetsInput{
		SamplingStatisticsDocuments: []types.SamplingStatisticsDocument{
			{RuleName: aws.String("Default"), ClientID: aws.String("0123456789abcdef01234567"), Timestamp: aws.Time(time.Now()), RequestCount: 3, SampledCount: 3},
			{RuleName: aws.String("Other"), ClientID: aws.String("0123456789abcdef01234567"), Timestamp: aws.Time(time.Now()), RequestCount: 1, SampledCount: 0},
		}})
	if err != nil {
		t.Fatal(err)
	}
	if len(targets.SamplingTargetDocuments) != 1 || targets.SamplingTargetDocuments[0].FixedRate != 1 ||
		len(targets.UnprocessedStatistics) != 1 {
		t.Errorf("targets = %+v", targets)
	}
	if _, err := proxy.PutTelemetryRecords(ctx(), &awsxray.PutTelemetryRecordsInput{TelemetryRecords: []types.TelemetryRecord{
		{Timestamp: aws.Time(time.Now())}}}); err != nil {
		t.Errorf("PutTelemetryRecords: %v", err)
	}
	// The daemon proxies the whole API, as the real one does.
	tid := traceheader.NewTraceID(time.Now())
	if _, err := proxy.PutTraceSegments(ctx(), &awsxray.PutTraceSegmentsInput{TraceSegmentDocuments: []string{
		doc(t, seg(tid, traceheader.NewSegmentID(), "via-tcp", now(), now()+1))}}); err != nil {
		t.Fatal(err)
	}
	if got := e.summaries(t, ""); len(got) != 1 || aws.ToString(got[0].Id) != tid {
		t.Errorf("segment sent through the TCP proxy not stored: %v", ids(got))
	}
}
