package lambda

import (
	"fmt"
	"reflect"
	"testing"
)

func TestLineWriterSeesSyncMarkersBehindTheOutput(t *testing.T) {
	var lines []string
	w := &lineWriter{emit: func(l string) { lines = append(lines, l) }, synced: make(chan struct{})}
	synced := w.synced
	// Output, a partial line, then the marker the local cloud writes,
	// arriving split across reads as a pipe may deliver it.
	stream := "handling echo\r\nno newline" + syncMarker + "1\n"
	for _, chunk := range []string{stream[:5], stream[5:20], stream[20:]} {
		if _, err := fmt.Fprint(w, chunk); err != nil {
			t.Fatal(err)
		}
	}
	if want := []string{"handling echo", "no newline"}; !reflect.DeepEqual(lines, want) {
		t.Fatalf("lines = %q, want %q (the marker itself is not logged)", lines, want)
	}
	select {
	case <-synced:
	default:
		t.Fatal("reading the marker did not wake syncOutput")
	}
	if w.seen != 1 {
		t.Fatalf("seen = %d, want 1", w.seen)
	}
}
