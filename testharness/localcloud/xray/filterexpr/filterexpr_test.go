package filterexpr

import (
	"bufio"
	"encoding/json"
	"errors"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
)

// fixture is four traces that between them exercise every keyword the
// documented examples use.
func fixture() map[string]*Trace {
	api := Facts{Name: "api.example.com", Type: "AWS::EC2::Instance", Root: true}
	backend := Facts{Name: "backend.example.com"}
	okFast := &Trace{
		Facts: Facts{Name: "api.example.com", Ok: true, Duration: 1, ResponseTime: 0.5, HTTPStatus: 200,
			HTTPURL: "http://api.example.com/api/game/1", HTTPMethod: "GET", Users: []string{"alice"},
			Annotations: map[string][]any{"gameid": {"817DL6VO"}, "age": {30.0}, "account": {"12345"}}},
	}
	a, b := api, backend
	a.Ok, a.ResponseTime, b.Ok = true, 0.5, true
	okFast.Services = []Facts{a, b}
	okFast.Edges = []Edge{{Source: 0, Destination: 1, Facts: Facts{Ok: true}}}

	faultSlow := &Trace{
		Facts: Facts{Name: "api.example.com", Fault: true, Duration: 6, ResponseTime: 5.5, HTTPStatus: 500,
			HTTPURL: "http://api.example.com/v2/items", HTTPMethod: "GET",
			Annotations: map[string][]any{"age": {25.0}, "account": {"12345"}}},
	}
	a, b = api, backend
	a.Fault, a.ResponseTime, b.Fault = true, 5.5, true
	faultSlow.Services = []Facts{a, b}
	faultSlow.Edges = []Edge{{Source: 0, Destination: 1, Facts: Facts{Fault: true, Error: true}}}

	fnARN := "arn:aws:lambda:us-east-1:000000000000:function:random-name"
	lambdaError := &Trace{
		Facts: Facts{Name: "random-name", Type: "AWS::Lambda", Ok: true, Partial: true, Duration: 2.5, ResponseTime: 2.5,
			HTTPStatus: 200, ResourceARNs: []string{fnARN},
			Annotations: map[string][]any{"customer_category": {124.0}, "zip_code": {98101.0},
				"country": {"United States"}, "internal": {false}}},
		Services: []Facts{
			{Name: "random-name", Type: "AWS::Lambda", AccountID: "000000000000", Root: true, Ok: true},
			{Name: "random-name", Type: "AWS::Lambda::Function", AccountID: "000000000000", Error: true},
			{Name: "S3", Type: "AWS::S3", Inferred: true, Ok: true},
		},
		Edges: []Edge{{Source: 0, Destination: 1}, {Source: 1, Destination: 2}},
	}

	throttled := &Trace{
		Facts: Facts{Name: "data-plane", Error: true, Throttle: true, Duration: 8, ResponseTime: 3, HTTPStatus: 429,
			HTTPURL: "https://other.example.com/x", HTTPMethod: "POST", Users: []string{"bob"}},
		Services: []Facts{{Name: "data-plane", Root: true, Fault: true, Error: true, Throttle: true}},
	}
	return map[string]*Trace{"ok-fast": okFast, "fault-slow": faultSlow, "lambda-error": lambdaError, "throttled": throttled}
}

type row struct {
	Source     string   `json:"source"`
	Expression string   `json:"expression"`
	Matches    []string `json:"matches"`
	Error      string   `json:"error"`
}

func readRows(t testing.TB, path string) []row {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []row
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var r row
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if r.Source == "" {
			t.Fatalf("%s: row %q has no source", path, r.Expression)
		}
		rows = append(rows, r)
	}
	return rows
}

func TestDocumentedExpressions(t *testing.T) {
	traces := fixture()
	rows := readRows(t, "testdata/expressions.jsonl")
	if len(rows) < 40 {
		t.Fatalf("only %d rows read", len(rows))
	}
	for _, r := range rows {
		t.Run(r.Expression, func(t *testing.T) {
			e, err := Parse(r.Expression)
			if err != nil {
				t.Fatalf("Parse: %v (source %s)", err, r.Source)
			}
			got := []string{}
			for name, tr := range traces {
				if e.Match(tr) {
					got = append(got, name)
				}
			}
			sort.Strings(got)
			want := slices.Clone(r.Matches)
			sort.Strings(want)
			if !slices.Equal(got, want) {
				t.Errorf("matches %v, want %v (source %s)", got, want, r.Source)
			}
		})
	}
}

func TestInvalidExpressions(t *testing.T) {
	for _, r := range readRows(t, "testdata/invalid.jsonl") {
		t.Run(r.Expression, func(t *testing.T) {
			_, err := Parse(r.Expression)
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse = %v, want a *SyntaxError", err)
			}
			if !strings.Contains(err.Error(), r.Error) || !strings.HasPrefix(err.Error(), "Invalid filter expression: ") {
				t.Errorf("error %q does not say %q", err, r.Error)
			}
		})
	}
}

func TestErrorPosition(t *testing.T) {
	_, err := Parse(`ok AND duration > "x"`)
	var se *SyntaxError
	if !errors.As(err, &se) || se.Pos != 16 {
		t.Fatalf("error %v, want position 16 (the operator)", err)
	}
}

func TestEdgeIndexesOutOfRangeNeverMatch(t *testing.T) {
	e, err := Parse(`edge("a", "b")`)
	if err != nil {
		t.Fatal(err)
	}
	tr := &Trace{Services: []Facts{{Name: "a"}}, Edges: []Edge{{Source: 0, Destination: 3}}}
	if e.Match(tr) {
		t.Error("an edge to a missing node matched")
	}
}

func BenchmarkMatchAnnotation(b *testing.B) {
	e, err := Parse(`annotation.correlation_id = "c-42" AND !fault`)
	if err != nil {
		b.Fatal(err)
	}
	tr := &Trace{Facts: Facts{Annotations: map[string][]any{"correlation_id": {"c-42"}}}}
	for b.Loop() {
		if !e.Match(tr) {
			b.Fatal("no match")
		}
	}
}
