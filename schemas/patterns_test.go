package schemas

import (
	"encoding/json"
	"strings"
	"testing"
)

// matches is a deliberately tiny EventBridge matcher for the only pattern
// features patterns.go uses: nested objects, arrays of literal strings, and
// {"prefix": "..."}. It exists so these tests do not depend on the project's
// matcher; anything else in a pattern fails the test.
func matches(t *testing.T, pattern map[string]any, event map[string]any) bool {
	t.Helper()
	for field, want := range pattern {
		got, present := event[field]
		switch w := want.(type) {
		case map[string]any:
			sub, ok := got.(map[string]any)
			if !present || !ok || !matches(t, w, sub) {
				return false
			}
		case []any:
			if !present || !matchesAny(t, w, got) {
				return false
			}
		default:
			t.Fatalf("pattern field %q has unsupported value %#v", field, want)
		}
	}
	return true
}

func matchesAny(t *testing.T, alternatives []any, got any) bool {
	t.Helper()
	s, isString := got.(string)
	for _, alt := range alternatives {
		switch a := alt.(type) {
		case string:
			if isString && s == a {
				return true
			}
		case map[string]any:
			p, ok := a["prefix"].(string)
			if !ok || len(a) != 1 {
				t.Fatalf("unsupported pattern operator %#v", a)
			}
			if isString && strings.HasPrefix(s, p) {
				return true
			}
		default:
			t.Fatalf("unsupported pattern value %#v", alt)
		}
	}
	return false
}

func object(t *testing.T, raw []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func records(t *testing.T, file string) []map[string]any {
	t.Helper()
	var rs []map[string]any
	if err := json.Unmarshal(golden(t, file, "event"), &rs); err != nil {
		t.Fatal(err)
	}
	return rs
}

func TestS3PatternsMatchOnlyTheirBucket(t *testing.T) {
	s3Event := object(t, golden(t, "s3-object-created.json", "event"))
	if !matches(t, S3ObjectCreatedPattern("DOC-EXAMPLE-BUCKET1"), s3Event) {
		t.Error("S3ObjectCreatedPattern does not match the documented Object Created event")
	}
	if matches(t, S3ObjectCreatedPattern("other-bucket"), s3Event) {
		t.Error("S3ObjectCreatedPattern matches another bucket's event")
	}
	if !matches(t, S3BucketEventsPattern("DOC-EXAMPLE-BUCKET1"), s3Event) {
		t.Error("S3BucketEventsPattern does not match its bucket's event")
	}
	deleted := object(t, golden(t, "s3-object-created.json", "event"))
	deleted["detail-type"] = "Object Deleted"
	if matches(t, S3ObjectCreatedPattern("DOC-EXAMPLE-BUCKET1"), deleted) {
		t.Error("S3ObjectCreatedPattern matches Object Deleted")
	}
	if !matches(t, S3BucketEventsPattern("DOC-EXAMPLE-BUCKET1"), deleted) {
		t.Error("S3BucketEventsPattern (archive) misses Object Deleted")
	}
	for _, file := range []string{"image-metadata-written.json", "user-audit-logged.json"} {
		if matches(t, S3BucketEventsPattern("tracebridge-images"), object(t, golden(t, file, "event"))) {
			t.Errorf("S3BucketEventsPattern matches completion event %s", file)
		}
	}
}

func TestCompletionEventsPattern(t *testing.T) {
	for _, file := range []string{"image-metadata-written.json", "image-metadata-failed.json", "user-audit-logged.json"} {
		if !matches(t, CompletionEventsPattern(), object(t, golden(t, file, "event"))) {
			t.Errorf("CompletionEventsPattern misses %s", file)
		}
	}
	if matches(t, CompletionEventsPattern(), object(t, golden(t, "s3-object-created.json", "event"))) {
		t.Error("CompletionEventsPattern matches an S3 event")
	}
}

func TestUserInsertFilterPattern(t *testing.T) {
	user := records(t, "pipes-user-batch.json")
	want := []bool{true, false, false} // new user; MODIFY of that user; INSERT of an order
	for i, r := range user {
		if got := matches(t, UserInsertFilterPattern(), r); got != want[i] {
			t.Errorf("record %d (%s): match %v, want %v", i, r["eventID"], got, want[i])
		}
	}
	for _, r := range records(t, "pipes-dynamodb-batch.json") {
		if matches(t, UserInsertFilterPattern(), r) {
			t.Errorf("documented record %s (key Id) matches the user filter", r["eventID"])
		}
	}
}
