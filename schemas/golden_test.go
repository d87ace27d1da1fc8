package schemas

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/tracebridge/tracebridge/schemas/internal/draft4"
)

// golden reads testdata/file and returns the member (e.g. "event") as raw
// JSON; every golden file keeps its source note next to that member.
func golden(t *testing.T, file, member string) json.RawMessage {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	if _, ok := doc["_source"]; !ok {
		t.Fatalf("%s: golden file has no _source note", file)
	}
	raw, ok := doc[member]
	if !ok {
		t.Fatalf("%s: no member %q", file, member)
	}
	return raw
}

func compiled(t *testing.T, name string) *draft4.Schema {
	t.Helper()
	doc, ok := JSONSchemas()[name]
	if !ok {
		t.Fatalf("no JSON Schema named %q", name)
	}
	s, err := draft4.Compile([]byte(doc))
	if err != nil {
		t.Fatalf("schema %s: %v", name, err)
	}
	return s
}

// sameJSON reports whether two documents are equal as JSON values, numbers
// compared by their text.
func sameJSON(t *testing.T, a, b []byte) bool {
	t.Helper()
	va, err := draft4.Decode(a)
	if err != nil {
		t.Fatal(err)
	}
	vb, err := draft4.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	return reflect.DeepEqual(va, vb)
}

// roundTrip decodes raw into a fresh T, re-encodes it and requires the same
// JSON back.
func roundTrip[T any](t *testing.T, name string, raw []byte) T {
	t.Helper()
	var v T
	d := json.NewDecoder(bytes.NewReader(raw))
	d.DisallowUnknownFields()
	if err := d.Decode(&v); err != nil {
		t.Fatalf("%s: decode into %T: %v", name, v, err)
	}
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if !sameJSON(t, raw, out) {
		t.Errorf("%s: %T does not round-trip:\n in: %s\nout: %s", name, v, raw, out)
	}
	return v
}

type envelope struct {
	Detail json.RawMessage `json:"detail"`
}

func detailOf(t *testing.T, event []byte) []byte {
	t.Helper()
	var e envelope
	if err := json.Unmarshal(event, &e); err != nil {
		t.Fatal(err)
	}
	return e.Detail
}

func TestGoldenEventsMatchSchemasAndTypes(t *testing.T) {
	t.Run("S3ObjectCreated", func(t *testing.T) {
		ev := golden(t, "s3-object-created.json", "event")
		if err := compiled(t, SchemaNameS3ObjectCreated).ValidateJSON(ev); err != nil {
			t.Fatal(err)
		}
		d := roundTrip[S3ObjectCreatedDetail](t, "detail", detailOf(t, ev))
		if d.Object.VersionID == "" || d.Reason != S3ReasonPutObject {
			t.Errorf("decoded detail lost fields: %+v", d)
		}
	})
	t.Run("ImageMetadataWritten", func(t *testing.T) {
		ev := golden(t, "image-metadata-written.json", "event")
		if err := compiled(t, SchemaNameImageMetadataWritten).ValidateJSON(ev); err != nil {
			t.Fatal(err)
		}
		roundTrip[ImageMetadataWritten](t, "detail", detailOf(t, ev))
	})
	t.Run("ImageMetadataFailed", func(t *testing.T) {
		ev := golden(t, "image-metadata-failed.json", "event")
		if err := compiled(t, SchemaNameImageMetadataFailed).ValidateJSON(ev); err != nil {
			t.Fatal(err)
		}
		roundTrip[ImageMetadataFailed](t, "detail", detailOf(t, ev))
		ev = golden(t, "image-metadata-failed.json", "aws_error_example")
		if err := compiled(t, SchemaNameImageMetadataFailed).ValidateJSON(ev); err != nil {
			t.Fatal(err)
		}
		d := roundTrip[ImageMetadataFailed](t, "aws_error_example", detailOf(t, ev))
		if d.ErrorCode == "" || !strings.HasSuffix(d.Reason, d.ErrorMessage) {
			t.Errorf("AWS error example lost its code or message: %+v", d)
		}
	})
	t.Run("UserAuditLogged", func(t *testing.T) {
		ev := golden(t, "user-audit-logged.json", "event")
		if err := compiled(t, SchemaNameUserAuditLogged).ValidateJSON(ev); err != nil {
			t.Fatal(err)
		}
		roundTrip[UserAuditLogged](t, "detail", detailOf(t, ev))
	})
	t.Run("UserAuditFailed", func(t *testing.T) {
		ev := golden(t, "user-audit-failed.json", "event")
		if err := compiled(t, SchemaNameUserAuditFailed).ValidateJSON(ev); err != nil {
			t.Fatal(err)
		}
		d := roundTrip[UserAuditFailed](t, "detail", detailOf(t, ev))
		if d.ErrorCode == "" || d.CorrelationID == "" || !strings.HasSuffix(d.Reason, d.ErrorMessage) {
			t.Errorf("decoded detail lost fields: %+v", d)
		}
	})
	t.Run("DynamoDBStreamBatch", func(t *testing.T) {
		s := compiled(t, SchemaNameDynamoDBStreamBatch)
		for _, file := range []string{"pipes-dynamodb-batch.json", "pipes-user-batch.json"} {
			batch := golden(t, file, "event")
			if err := s.ValidateJSON(batch); err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			roundTrip[DynamoDBStreamBatch](t, file, batch)
		}
		// The Lambda tutorial records come wrapped in {"Records": [...]}; the
		// records themselves are the ones a Pipe forwards.
		for _, member := range []string{"event", "additional_example"} {
			var wrapped struct {
				Records json.RawMessage `json:"Records"`
				Event   struct {
					Records json.RawMessage `json:"Records"`
				} `json:"event"`
			}
			if err := json.Unmarshal(golden(t, "dynamodb-stream-records.json", member), &wrapped); err != nil {
				t.Fatal(err)
			}
			records := wrapped.Records
			if records == nil {
				records = wrapped.Event.Records
			}
			if err := s.ValidateJSON(records); err != nil {
				t.Fatalf("%s: %v", member, err)
			}
			roundTrip[DynamoDBStreamBatch](t, member, records)
		}
	})
}

func TestAuditEntryIsExactlyTheDocumentedMessage(t *testing.T) {
	var want string
	if err := json.Unmarshal(golden(t, "audit-entry.json", "message"), &want); err != nil {
		t.Fatal(err)
	}
	got := []byte(NewUserCreatedAuditEntry("USER#42", "PROFILE").Message())
	if string(got) != want {
		t.Fatalf("audit entry\n got %s\nwant %s", got, want)
	}
	if err := compiled(t, SchemaNameAuditEntry).ValidateJSON(got); err != nil {
		t.Fatal(err)
	}
	// Characters JSON must escape stay valid and keep the key order.
	odd := NewUserCreatedAuditEntry(`USER#"é"`, "a\\b").Message()
	if odd != `{"EventType":"UserCreated","PK":{"S":"USER#\"é\""},"SK":{"S":"a\\b"}}` {
		t.Fatalf("escaped audit entry: %s", odd)
	}
	// <, > and & stay as the stream record has them.
	if html := NewUserCreatedAuditEntry("USER#a&b<c>", "s").Message(); html != `{"EventType":"UserCreated","PK":{"S":"USER#a&b<c>"},"SK":{"S":"s"}}` {
		t.Fatalf("audit entry with HTML characters: %s", html)
	}
}

func TestSchemasRejectBrokenEvents(t *testing.T) {
	cases := []struct{ schema, doc string }{
		{SchemaNameImageMetadataWritten, `{"version":"0","id":"x","detail-type":"ImageMetadataWritten","source":"tracebridge.app","account":"000000000000","time":"2025-01-15T10:20:30Z","region":"us-east-1","resources":[],"detail":{"bucket":"b","key":"k","width":0,"height":1,"format":"png"}}`},
		{SchemaNameImageMetadataWritten, `{"version":"0","id":"x","detail-type":"ImageMetadataFailed","source":"tracebridge.app","account":"000000000000","time":"2025-01-15T10:20:30Z","region":"us-east-1","resources":[],"detail":{"bucket":"b","key":"k","width":1,"height":1,"format":"png"}}`},
		{SchemaNameUserAuditLogged, `{"version":"0","id":"x","detail-type":"UserAuditLogged","source":"tracebridge.app","account":"000000000000","time":"2025-01-15T10:20:30Z","region":"us-east-1","resources":[],"detail":{"pk":"ORDER#1","sk":"s","logGroup":"g","correlationId":""}}`},
		{SchemaNameUserAuditFailed, `{"version":"0","id":"x","detail-type":"UserAuditFailed","source":"tracebridge.app","account":"000000000000","time":"2025-01-15T10:20:30Z","region":"us-east-1","resources":[],"detail":{"pk":"USER#1","sk":"s","logGroup":"g","reason":"r","correlationId":""}}`},
		{SchemaNameImageMetadataFailed, `{"version":"0","id":"x","detail-type":"ImageMetadataFailed","source":"tracebridge.app","account":"000000000000","time":"2025-01-15T10:20:30Z","region":"us-east-1","resources":[],"detail":{"bucket":"b","key":"k","reason":"r","errorCode":"","correlationId":""}}`},
		{SchemaNameAuditEntry, `{"EventType":"UserCreated","PK":{"N":"1"},"SK":{"S":"s"}}`},
		{SchemaNameDynamoDBStreamBatch, `{"Records":[]}`},
	}
	for _, c := range cases {
		if err := compiled(t, c.schema).ValidateJSON([]byte(c.doc)); err == nil {
			t.Errorf("%s accepted %s", c.schema, c.doc)
		}
	}
}

func TestEveryEmbeddedSchemaIsDraft4(t *testing.T) {
	all := JSONSchemas()
	if len(all) != 7 {
		t.Fatalf("got %d schemas, want 7", len(all))
	}
	for name, doc := range all {
		var head struct {
			Schema string `json:"$schema"`
		}
		if err := json.Unmarshal([]byte(doc), &head); err != nil || head.Schema != "http://json-schema.org/draft-04/schema#" {
			t.Errorf("%s: $schema %q (%v), want draft-04", name, head.Schema, err)
		}
		compiled(t, name)
	}
}
