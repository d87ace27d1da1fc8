package tracefmt

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	xraytypes "github.com/aws/aws-sdk-go-v2/service/xray/types"
)

// Two traces of one correlation id: the upload (a client segment with an
// S3 subsegment) and the function it triggered (the Lambda service
// segment, and the function segment sent separately under it, whose S3
// call faulted).
func sampleTraces() []xraytypes.Trace {
	seg := func(id, doc string) xraytypes.Segment {
		return xraytypes.Segment{Id: aws.String(id), Document: aws.String(doc)}
	}
	return []xraytypes.Trace{
		{Id: aws.String("1-5f000000-000000000000000000000002"), Segments: []xraytypes.Segment{
			seg("f1", `{"id":"f1","parent_id":"s1","name":"metadata","origin":"AWS::Lambda::Function","start_time":1600000000.200,"end_time":1600000000.300,"fault":true,
				"subsegments":[{"id":"c2","name":"S3","namespace":"aws","aws":{"operation":"CopyObject"},"start_time":1600000000.250,"end_time":1600000000.290,"fault":true,
				"cause":{"exceptions":[{"message":"Access Denied","type":"AccessDenied"}]}},
				{"id":"c1","name":"S3","namespace":"aws","aws":{"operation":"GetObject"},"start_time":1600000000.210,"end_time":1600000000.240}]}`),
			seg("s1", `{"id":"s1","name":"metadata","origin":"AWS::Lambda","start_time":1600000000.150,"end_time":1600000000.310}`),
		}},
		{Id: aws.String("1-5f000000-000000000000000000000001"), Segments: []xraytypes.Segment{
			seg("u1", `{"id":"u1","name":"suite","start_time":1600000000.000,"end_time":1600000000.100,
				"subsegments":[{"id":"p1","name":"S3","aws":{"operation":"PutObject"},"start_time":1600000000.010,"end_time":1600000000.090}]}`),
		}},
	}
}

func TestBuildOrdersRowsOnOneAxis(t *testing.T) {
	w, err := Build(sampleTraces())
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		depth int
		name  string
		fault bool
	}
	wants := []want{
		{0, "suite", false}, {1, "S3 PutObject", false},
		{0, "metadata", false}, {1, "metadata", true}, {2, "S3 GetObject", false}, {2, "S3 CopyObject", true},
	}
	if len(w.Rows) != len(wants) {
		t.Fatalf("rows = %+v, want %d", w.Rows, len(wants))
	}
	for i, wt := range wants {
		r := w.Rows[i]
		if r.Depth != wt.depth || r.Name != wt.name || r.Fault != wt.fault {
			t.Errorf("row %d = depth %d %q fault %v, want %+v", i, r.Depth, r.Name, r.Fault, wt)
		}
	}
	if got := w.Duration(); got != 310*time.Millisecond {
		t.Errorf("duration = %v, want 310ms", got)
	}
	if got := w.Rows[5].Cause; got != "Access Denied" {
		t.Errorf("cause = %q", got)
	}
	if got := w.Rows[4].Duration(); got != 30*time.Millisecond {
		t.Errorf("GetObject duration = %v", got)
	}
}

func TestBuildRejectsABrokenDocument(t *testing.T) {
	_, err := Build([]xraytypes.Trace{{Id: aws.String("1-x"), Segments: []xraytypes.Segment{{Id: aws.String("a"), Document: aws.String("{")}}}})
	if err == nil || !strings.Contains(err.Error(), "trace 1-x: segment a") {
		t.Fatalf("err = %v", err)
	}
}

func TestTextDrawsBarsAndFlags(t *testing.T) {
	w, err := Build(sampleTraces())
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := Text(&out, w, 31); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
	if len(lines) != 2+len(w.Rows) {
		t.Fatalf("%d lines:\n%s", len(lines), out.String())
	}
	var bars []string
	for _, l := range lines[2:] {
		open, shut := strings.Index(l, "|"), strings.LastIndex(l, "|")
		bars = append(bars, l[open+1:shut])
		if shut-open-1 != 31 {
			t.Errorf("bar of %q is %d cells wide", l, shut-open-1)
		}
	}
	// suite runs from 0 to 100 of 310 ms: the first ten cells.
	if want := strings.Repeat("=", 10) + strings.Repeat(" ", 21); bars[0] != want {
		t.Errorf("suite bar = %q, want %q", bars[0], want)
	}
	copyLine := lines[len(lines)-1]
	for _, want := range []string{"S3 CopyObject", "+250.0ms", "40.0ms", "!!!!", "FAULT", `"Access Denied"`} {
		if !strings.Contains(copyLine, want) {
			t.Errorf("CopyObject line %q lacks %q", copyLine, want)
		}
	}
	if !strings.Contains(lines[0], "1-5f000000-000000000000000000000001, 1-5f000000-000000000000000000000002") {
		t.Errorf("header %q does not name both traces in the order they began", lines[0])
	}
}

func TestHTMLIsOneWellFormedPage(t *testing.T) {
	w, err := Build(sampleTraces())
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := HTML(&out, w); err != nil {
		t.Fatal(err)
	}
	page := out.String()
	for _, want := range []string{"S3 CopyObject", `class="bar fault"`, "left: 80.64%", "Access Denied"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	for _, external := range []string{"<script", "src=", "href="} {
		if strings.Contains(page, external) {
			t.Errorf("page refers to something outside itself (%s)", external)
		}
	}
	dec := xml.NewDecoder(strings.NewReader(strings.TrimPrefix(page, "<!DOCTYPE html>\n")))
	dec.Strict = false
	dec.AutoClose = xml.HTMLAutoClose
	for {
		if _, err := dec.Token(); err != nil {
			if err.Error() != "EOF" {
				t.Fatalf("page does not parse: %v", err)
			}
			break
		}
	}
}
