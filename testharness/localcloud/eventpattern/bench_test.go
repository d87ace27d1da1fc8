package eventpattern

import (
	"encoding/json"
	"os"
	"strconv"
	"testing"
)

// appPattern is the shape of the app's rule: S3 Object Created in a bucket.
const appPattern = `{"source":["aws.s3"],"detail-type":["Object Created"],"detail":{"bucket":{"name":["my-bucket"]}}}`

// s3EventJSON returns the documented S3 "Object Created" event from
// testdata (copied from /work/shared/conformance/s3-eventbridge-event.json).
func s3EventJSON(tb testing.TB) []byte {
	tb.Helper()
	raw, err := os.ReadFile("testdata/s3-eventbridge-event.json")
	if err != nil {
		tb.Fatal(err)
	}
	var doc struct {
		Event json.RawMessage `json:"event"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		tb.Fatal(err)
	}
	return doc.Event
}

func s3Event(tb testing.TB) *Event {
	tb.Helper()
	ev, err := ParseEvent(s3EventJSON(tb))
	if err != nil {
		tb.Fatal(err)
	}
	return ev
}

func TestAppPatternOnS3Event(t *testing.T) {
	ev := s3Event(t)
	if MustCompile(appPattern).MatchesEvent(ev) {
		t.Error("my-bucket pattern matched the DOC-EXAMPLE-BUCKET1 event")
	}
	if first := benchRules()[0]; !MustCompile(first).MatchesEvent(ev) {
		t.Errorf("pattern %s should match the S3 event", first)
	}
}

// benchRules are ten rules of a typical bus; the first matches the
// documented event.
func benchRules() []string {
	rules := []string{
		`{"source":["aws.s3"],"detail-type":["Object Created"],"detail":{"bucket":{"name":["DOC-EXAMPLE-BUCKET1"]}}}`,
		appPattern,
		`{"source":["aws.s3"],"detail":{"object":{"key":[{"prefix":"uploads/"}]}}}`,
		`{"source":["aws.s3"],"detail":{"object":{"size":[{"numeric":[">",1048576]}]}}}`,
		`{"source":["aws.ec2"],"detail-type":["EC2 Instance State-change Notification"]}`,
		`{"source":[{"prefix":"com.example"}],"detail":{"status":[{"anything-but":["ok"]}]}}`,
		`{"detail-type":[{"equals-ignore-case":"object deleted"}]}`,
		`{"detail":{"source-ip-address":[{"cidr":"10.0.0.0/8"}]}}`,
	}
	for i := len(rules); i < 10; i++ {
		rules = append(rules, `{"source":["app.orders"],"detail-type":["Order `+strconv.Itoa(i)+`"]}`)
	}
	return rules
}

// BenchmarkMatchParsedEvent: one pattern against an event parsed once.
func BenchmarkMatchParsedEvent(b *testing.B) {
	p := MustCompile(appPattern)
	ev := s3Event(b)
	b.ReportAllocs()
	for b.Loop() {
		p.MatchesEvent(ev)
	}
}

// BenchmarkParseAndMatch: parse the raw event, then match one pattern.
func BenchmarkParseAndMatch(b *testing.B) {
	p := MustCompile(appPattern)
	raw := s3EventJSON(b)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Matches(raw); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMatcher10Rules: one parsed event against a 10-rule Matcher.
func BenchmarkMatcher10Rules(b *testing.B) {
	m := NewMatcher()
	for i, r := range benchRules() {
		if err := m.Add("rule-"+strconv.Itoa(i), []byte(r)); err != nil {
			b.Fatal(err)
		}
	}
	ev := s3Event(b)
	b.ReportAllocs()
	for b.Loop() {
		m.MatchesFor(ev)
	}
}

func BenchmarkCompile(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compile([]byte(appPattern)); err != nil {
			b.Fatal(err)
		}
	}
}
