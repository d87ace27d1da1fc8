package logfilter

import "testing"

func benchmarkMatch(b *testing.B, pattern, message string) {
	p, err := Compile(pattern)
	if err != nil {
		b.Fatal(err)
	}
	if !p.Match(message) {
		b.Fatalf("%q does not match %q", pattern, message)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(message)))
	for b.Loop() {
		p.Match(message)
	}
}

func BenchmarkMatchTerms(b *testing.B) {
	benchmarkMatch(b, `ERROR -DEBUG ?"request failed" ?timeout`, "2024-05-01T12:00:00Z 4f1c ERROR request failed after 3 retries")
}

// BenchmarkMatchJSON is the FilterLogEvents case from the brief: the audit entry's
// message and the pattern the harness filters it with.
func BenchmarkMatchJSON(b *testing.B) {
	benchmarkMatch(b, `{ ($.EventType = "UserCreated") && ($.PK.S = "USER#123") }`,
		`{"EventType":"UserCreated","PK":{"S":"USER#123"},"SK":{"S":"PROFILE"}}`)
}

func BenchmarkMatchDelimited(b *testing.B) {
	benchmarkMatch(b, "[ip, user, username, timestamp, request = *.html*, status_code = 4*, bytes > 1000]", apacheLine)
}

func BenchmarkMatchRegex(b *testing.B) {
	benchmarkMatch(b, `%USER#\d+%`, `{"EventType":"UserCreated","PK":{"S":"USER#123"},"SK":{"S":"PROFILE"}}`)
}

func BenchmarkExtractDelimited(b *testing.B) {
	p, err := Compile("[..., request = *.html*, status_code = 4*, bytes]")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		p.Extract(apacheLine)
	}
}
