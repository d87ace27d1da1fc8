package traceheader

import (
	"testing"
	"time"
)

func TestNewTraceIDEncodesEpochSeconds(t *testing.T) {
	// The guide's example: 58406520 is 1480615200, 10:00 AM PST Dec 1 2016.
	at := time.Unix(1480615200, 0)
	id := NewTraceID(at)
	if !ValidTraceID(id) || id[:11] != "1-58406520-" {
		t.Fatalf("NewTraceID = %q, want 1-58406520-<24 hex>", id)
	}
	got, err := TraceIDTime(id)
	if err != nil || !got.Equal(at) {
		t.Fatalf("TraceIDTime(%q) = %v, %v; want %v", id, got, err, at)
	}
	if other := NewTraceID(at); other == id {
		t.Errorf("two trace ids for the same second are equal: %q", id)
	}
}

func TestSegmentID(t *testing.T) {
	id := NewSegmentID()
	if !ValidSegmentID(id) {
		t.Fatalf("NewSegmentID = %q, not 16 hex digits", id)
	}
	for _, bad := range []string{"", "53995c3f42cd8ad", "53995c3f42cd8ad8a", "53995c3f42cd8adz"} {
		if ValidSegmentID(bad) {
			t.Errorf("ValidSegmentID(%q) = true", bad)
		}
	}
}

func TestValidTraceID(t *testing.T) {
	for id, want := range map[string]bool{
		"1-58406520-a006649127e371903a2de979": true,
		"1-5759e988-bd862e3fe1be46a994272793": true,
		"2-58406520-a006649127e371903a2de979": false,
		"1-5840652-a006649127e371903a2de9790": false,
		"1-58406520-a006649127e371903a2de97":  false,
		"1-58406520-a006649127e371903a2de97g": false,
		"1-58406520_a006649127e371903a2de979": false,
		"":                                    false,
	} {
		if got := ValidTraceID(id); got != want {
			t.Errorf("ValidTraceID(%q) = %v, want %v", id, got, want)
		}
	}
	if _, err := TraceIDTime("nope"); err == nil {
		t.Error("TraceIDTime(nope) succeeded")
	}
}

func TestParseAndString(t *testing.T) {
	// The concepts page's example header.
	const s = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
	h, err := Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	if h.Root != "1-5759e988-bd862e3fe1be46a994272793" || h.Parent != "53995c3f42cd8ad8" || h.Sampled != Sampled {
		t.Fatalf("Parse = %+v", h)
	}
	if h.String() != s {
		t.Errorf("String = %q, want %q", h.String(), s)
	}

	h, err = Parse(" Self=1-67891234-12456789abcdef012345678;Root=1-5759e988-bd862e3fe1be46a994272793 ; Sampled=?;Lineage=a87bd80c:1|68fd508a:5")
	if err != nil {
		t.Fatal(err)
	}
	want := "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=?;Lineage=a87bd80c:1|68fd508a:5;Self=1-67891234-12456789abcdef012345678"
	if h.String() != want || h.Sampled != Requested {
		t.Errorf("String = %q, want %q", h.String(), want)
	}

	if h, err := Parse(""); err != nil || h.String() != "" {
		t.Errorf("Parse(\"\") = %+v, %v", h, err)
	}
	for _, bad := range []string{"Root=abc", "Root", "Root=1-5759e988-bd862e3fe1be46a994272793;junk"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) succeeded", bad)
		}
	}
}

func TestChild(t *testing.T) {
	now := time.Unix(1700000000, 0)
	h := Header{Root: "1-5759e988-bd862e3fe1be46a994272793", Parent: "53995c3f42cd8ad8", Sampled: Sampled, Lineage: "x:1",
		Extra: []KV{{"Self", "y"}}}
	c := h.Child("0123456789abcdef", now)
	if got, want := c.String(), "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=0123456789abcdef;Sampled=1;Lineage=x:1"; got != want {
		t.Errorf("Child = %q, want %q", got, want)
	}
	fresh := Header{}.Child("0123456789abcdef", now)
	if ts, err := TraceIDTime(fresh.Root); err != nil || !ts.Equal(now) {
		t.Errorf("Child of empty header: root %q (%v, %v)", fresh.Root, ts, err)
	}
}
