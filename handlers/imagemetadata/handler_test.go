package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-xray-sdk-go/xray"

	"github.com/tracebridge/tracebridge/handlers/internal/completion"
	"github.com/tracebridge/tracebridge/handlers/internal/fakeaws"
	"github.com/tracebridge/tracebridge/schemas"
)

const (
	bucket   = "tracebridge-images"
	traceHdr = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
)

func newHandler(t testing.TB) (*Handler, *fakeaws.Server) {
	t.Helper()
	fake := fakeaws.New(t)
	cfg := fake.Config()
	h := &Handler{
		S3:     s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }),
		Events: &completion.Publisher{Client: eventbridge.NewFromConfig(cfg), Bus: "app-bus", Backoff: func(int) time.Duration { return 0 }},
		Log:    slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	return h, fake
}

// objectCreated is the documented "Object Created" event (testdata) for
// bucket/key with the given reason.
func objectCreated(t testing.TB, key, reason string) events.EventBridgeEvent {
	t.Helper()
	raw, err := os.ReadFile("testdata/s3-object-created.json")
	if err != nil {
		t.Fatal(err)
	}
	var golden struct{ Event events.EventBridgeEvent }
	if err := json.Unmarshal(raw, &golden); err != nil {
		t.Fatal(err)
	}
	var detail schemas.S3ObjectCreatedDetail
	if err := json.Unmarshal(golden.Event.Detail, &detail); err != nil {
		t.Fatal(err)
	}
	detail.Bucket.Name, detail.Object.Key, detail.Reason = bucket, schemas.EncodeS3EventKey(key), reason
	golden.Event.Detail, _ = json.Marshal(detail)
	return golden.Event
}

func lambdaCtx() context.Context {
	return context.WithValue(context.Background(), xray.LambdaTraceHeaderKey, traceHdr)
}

func encode(t testing.TB, format string, w, h int) []byte {
	t.Helper()
	img := image.NewPaletted(image.Rect(0, 0, w, h), color.Palette{color.Black, color.White})
	var buf bytes.Buffer
	var err error
	switch format {
	case "png":
		err = png.Encode(&buf, img)
	case "jpeg":
		err = jpeg.Encode(&buf, img, nil)
	case "gif":
		err = gif.Encode(&buf, img, nil)
	case "webp": // lossless header only: RIFF, WEBP, VP8L chunk, packed sizes
		b := []byte("RIFF\x00\x00\x00\x00WEBPVP8L\x05\x00\x00\x00\x2f\x00\x00\x00\x00")
		binary.LittleEndian.PutUint32(b[21:25], uint32(w-1)|uint32(h-1)<<14)
		return b
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func eventsOf[T any](t *testing.T, fake *fakeaws.Server, detailType string) []T {
	t.Helper()
	var out []T
	for _, e := range fake.Events() {
		if e.DetailType != detailType {
			continue
		}
		if e.Source != schemas.AppEventSource || e.EventBusName != "app-bus" {
			t.Errorf("event from %s on %s, want %s on app-bus", e.Source, e.EventBusName, schemas.AppEventSource)
		}
		var d T
		if err := json.Unmarshal([]byte(e.Detail), &d); err != nil {
			t.Fatal(err)
		}
		out = append(out, d)
	}
	return out
}

func TestPNGHappyPathPreservesMetadata(t *testing.T) {
	h, fake := newHandler(t)
	key := "uploads/flower.png"
	fake.PutObject(bucket, key, fakeaws.Object{
		Data:     encode(t, "png", 172, 178),
		Metadata: map[string]string{"correlation-id": "c-123", "owner": "alice"},
		Headers: map[string]string{"Content-Type": "image/png", "Cache-Control": "max-age=60",
			"Content-Disposition": `inline; filename="flower.png"`, "Content-Language": "en",
			"Expires": "Wed, 21 Oct 2037 07:28:00 GMT", "X-Amz-Storage-Class": "STANDARD_IA"},
	})
	if err := h.Handle(lambdaCtx(), objectCreated(t, key, schemas.S3ReasonPutObject)); err != nil {
		t.Fatal(err)
	}
	obj, _ := fake.GetObject(bucket, key)
	wantMeta := map[string]string{"correlation-id": "c-123", "owner": "alice", "image_width": "172", "image_height": "178"}
	for k, v := range wantMeta {
		if obj.Metadata[k] != v {
			t.Errorf("metadata %s = %q, want %q (all: %v)", k, obj.Metadata[k], v, obj.Metadata)
		}
	}
	if len(obj.Metadata) != len(wantMeta) {
		t.Errorf("metadata %v, want exactly %v", obj.Metadata, wantMeta)
	}
	for k, v := range map[string]string{"Content-Type": "image/png", "Cache-Control": "max-age=60",
		"Content-Disposition": `inline; filename="flower.png"`, "Content-Language": "en",
		"Expires": "Wed, 21 Oct 2037 07:28:00 GMT", "X-Amz-Storage-Class": "STANDARD_IA"} {
		if obj.Headers[k] != v {
			t.Errorf("%s = %q after the copy, want %q", k, obj.Headers[k], v)
		}
	}
	copies := fake.Requests("CopyObject")
	if len(copies) != 1 || copies[0].Header.Get("X-Amz-Copy-Source-If-Match") == "" {
		t.Fatalf("want one conditional CopyObject, got %+v", copies)
	}
	gets := fake.Requests("GetObject")
	if len(gets) != 1 || gets[0].Header.Get("Range") != "bytes=0-65535" {
		t.Fatalf("want one ranged GetObject, got %+v", gets)
	}
	written := eventsOf[schemas.ImageMetadataWritten](t, fake, schemas.DetailTypeImageMetadataWritten)
	want := schemas.ImageMetadataWritten{Bucket: bucket, Key: key, Width: 172, Height: 178, Format: "png", CorrelationID: "c-123"}
	if len(written) != 1 || written[0] != want {
		t.Fatalf("ImageMetadataWritten events %+v, want [%+v]", written, want)
	}
	if th := fake.Events()[0].TraceHeader; !strings.Contains(th, "Root=1-5759e988-bd862e3fe1be46a994272793") {
		t.Errorf("trace header %q does not carry the invocation's trace", th)
	}
}

func TestFormats(t *testing.T) {
	for _, c := range []struct {
		format string
		w, h   int
	}{{"jpeg", 640, 480}, {"gif", 33, 7}, {"webp", 1024, 768}} {
		t.Run(c.format, func(t *testing.T) {
			h, fake := newHandler(t)
			fake.PutObject(bucket, "img", fakeaws.Object{Data: encode(t, c.format, c.w, c.h)})
			if err := h.Handle(context.Background(), objectCreated(t, "img", schemas.S3ReasonPutObject)); err != nil {
				t.Fatal(err)
			}
			got := eventsOf[schemas.ImageMetadataWritten](t, fake, schemas.DetailTypeImageMetadataWritten)
			if len(got) != 1 || got[0].Format != c.format || got[0].Width != c.w || got[0].Height != c.h || got[0].CorrelationID != "" {
				t.Fatalf("events %+v, want %s %d×%d without correlation id", got, c.format, c.w, c.h)
			}
		})
	}
}

func TestOwnCopyEventAndRepeatedDeliveryChangeNothing(t *testing.T) {
	h, fake := newHandler(t)
	fake.PutObject(bucket, "a.png", fakeaws.Object{Data: encode(t, "png", 172, 178)})
	put := objectCreated(t, "a.png", schemas.S3ReasonPutObject)
	for _, ev := range []events.EventBridgeEvent{put, put, objectCreated(t, "a.png", schemas.S3ReasonCopyObject)} {
		if err := h.Handle(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(fake.Requests("CopyObject")); n != 1 {
		t.Errorf("%d copies, want 1", n)
	}
	if n := len(fake.Events()); n != 1 {
		t.Errorf("%d events, want 1", n)
	}
}

func TestConcurrentOverwriteIsReRead(t *testing.T) {
	h, fake := newHandler(t)
	fake.PutObject(bucket, "race.png", fakeaws.Object{Data: encode(t, "png", 172, 178)})
	fake.BeforeNext("CopyObject", func() {
		fake.PutObject(bucket, "race.png", fakeaws.Object{Data: encode(t, "png", 50, 60)})
	})
	if err := h.Handle(context.Background(), objectCreated(t, "race.png", schemas.S3ReasonPutObject)); err != nil {
		t.Fatal(err)
	}
	if g, c := len(fake.Requests("GetObject")), len(fake.Requests("CopyObject")); g != 2 || c != 2 {
		t.Fatalf("%d reads and %d copies, want 2 and 2 (412 then re-read)", g, c)
	}
	obj, _ := fake.GetObject(bucket, "race.png")
	if obj.Metadata["image_width"] != "50" || obj.Metadata["image_height"] != "60" {
		t.Fatalf("metadata %v, want the new object's 50×60", obj.Metadata)
	}
	got := eventsOf[schemas.ImageMetadataWritten](t, fake, schemas.DetailTypeImageMetadataWritten)
	if len(got) != 1 || got[0].Width != 50 {
		t.Fatalf("events %+v", got)
	}
}

func TestUnsizableObjectsEmitFailure(t *testing.T) {
	png := encode(t, "png", 172, 178)
	absurd := append([]byte(nil), png...)
	binary.BigEndian.PutUint32(absurd[16:20], 1_000_000)
	for name, c := range map[string]struct {
		data        []byte
		reason      string
		correlation string
	}{
		"not an image":  {[]byte("just some text, definitely not pixels"), "not a PNG, JPEG, GIF or WebP", "c-9"},
		"truncated png": {png[:20], "truncated", "c-9"},
		"absurd":        {absurd, "out of bounds", "c-9"},
		"empty":         {nil, "empty object", ""}, // 416 carries no metadata
	} {
		t.Run(name, func(t *testing.T) {
			h, fake := newHandler(t)
			fake.PutObject(bucket, "x", fakeaws.Object{Data: c.data, Metadata: map[string]string{"correlation-id": "c-9"}})
			if err := h.Handle(context.Background(), objectCreated(t, "x", schemas.S3ReasonPutObject)); err != nil {
				t.Fatalf("Handle returned %v, want nil (no retry storm)", err)
			}
			if n := len(fake.Requests("CopyObject")); n != 0 {
				t.Errorf("%d copies, want none", n)
			}
			failed := eventsOf[schemas.ImageMetadataFailed](t, fake, schemas.DetailTypeImageMetadataFailed)
			if len(failed) != 1 || !strings.Contains(failed[0].Reason, c.reason) || failed[0].CorrelationID != c.correlation || failed[0].Key != "x" {
				t.Fatalf("failure events %+v, want one with reason containing %q", failed, c.reason)
			}
		})
	}
}

func TestS3ThrottlingAndServerErrorsAreRetriedByThePlatform(t *testing.T) {
	for _, op := range []string{"GetObject", "CopyObject"} {
		t.Run(op, func(t *testing.T) {
			h, fake := newHandler(t)
			fake.PutObject(bucket, "a.png", fakeaws.Object{Data: encode(t, "png", 4, 4)})
			fake.FailNext(op, fakeaws.Fault{Status: http.StatusServiceUnavailable, Code: "SlowDown", Message: "Please reduce your request rate."})
			err := h.Handle(context.Background(), objectCreated(t, "a.png", schemas.S3ReasonPutObject))
			if err == nil || !strings.Contains(err.Error(), "SlowDown") {
				t.Fatalf("Handle = %v, want the SlowDown error", err)
			}
			if n := len(fake.Events()); n != 0 {
				t.Fatalf("%d events after a throttled call, want none", n)
			}
		})
	}
}

func TestDeletedObjectIsIgnored(t *testing.T) {
	h, fake := newHandler(t)
	if err := h.Handle(context.Background(), objectCreated(t, "gone.png", schemas.S3ReasonPutObject)); err != nil {
		t.Fatal(err)
	}
	if len(fake.Events()) != 0 || len(fake.Requests("CopyObject")) != 0 {
		t.Fatal("a deleted object produced a copy or an event")
	}
}

func TestKeyWithSpacesPlusAndNonASCII(t *testing.T) {
	h, fake := newHandler(t)
	key := "uploads/red flower+größe 日本.png"
	fake.PutObject(bucket, key, fakeaws.Object{Data: encode(t, "png", 3, 2)})
	if err := h.Handle(context.Background(), objectCreated(t, key, schemas.S3ReasonPutObject)); err != nil {
		t.Fatal(err)
	}
	obj, _ := fake.GetObject(bucket, key)
	if obj.Metadata["image_width"] != "3" {
		t.Fatalf("metadata of %q: %v", key, obj.Metadata)
	}
	got := eventsOf[schemas.ImageMetadataWritten](t, fake, schemas.DetailTypeImageMetadataWritten)
	if len(got) != 1 || got[0].Key != key {
		t.Fatalf("events %+v, want key %q", got, key)
	}
}

func TestLargeObjectReadsOnlyTheHeader(t *testing.T) {
	h, fake := newHandler(t)
	fake.PutObject(bucket, "huge.png", fakeaws.Object{Data: encode(t, "png", 172, 178), Size: 100 << 20})
	if err := h.Handle(context.Background(), objectCreated(t, "huge.png", schemas.S3ReasonPutObject)); err != nil {
		t.Fatal(err)
	}
	if n := fake.BytesServed(); n > 64<<10 {
		t.Fatalf("served %d bytes of a 100 MB object, want at most 64 KiB", n)
	}
	obj, _ := fake.GetObject(bucket, "huge.png")
	if obj.Size != 100<<20 || obj.Metadata["image_height"] != "178" {
		t.Fatalf("object after copy: size %d, metadata %v", obj.Size, obj.Metadata)
	}
}

func TestPutEventsPartialFailureIsRetried(t *testing.T) {
	h, fake := newHandler(t)
	fake.PutObject(bucket, "a.png", fakeaws.Object{Data: encode(t, "png", 8, 8)})
	fake.FailEventEntries(1)
	if err := h.Handle(context.Background(), objectCreated(t, "a.png", schemas.S3ReasonPutObject)); err != nil {
		t.Fatal(err)
	}
	if n := len(fake.Requests("PutEvents")); n != 2 {
		t.Fatalf("%d PutEvents calls, want 2", n)
	}
	if n := len(fake.Events()); n != 1 {
		t.Fatalf("%d events delivered, want 1", n)
	}
}

func TestRejectsOtherEvents(t *testing.T) {
	h, _ := newHandler(t)
	ev := objectCreated(t, "a.png", schemas.S3ReasonPutObject)
	ev.DetailType = "Object Deleted"
	if err := h.Handle(context.Background(), ev); err == nil {
		t.Fatal("Handle accepted an Object Deleted event")
	}
	ev = objectCreated(t, "a.png", schemas.S3ReasonPutObject)
	ev.Detail = json.RawMessage(`{"bucket":{"name":"b"},"object":{"key":""}}`)
	if err := h.Handle(context.Background(), ev); err == nil {
		t.Fatal("Handle accepted an event without a key")
	}
}

// BenchmarkHandleHeaderOf100MB runs the whole read path (ranged GET through
// the SDK to the fake, header decode, no-op because the dimensions are
// already recorded) against a 100 MB object.
func BenchmarkHandleHeaderOf100MB(b *testing.B) {
	h, fake := newHandler(b)
	fake.PutObject(bucket, "huge.png", fakeaws.Object{Data: encode(b, "png", 172, 178), Size: 100 << 20})
	ev := objectCreated(b, "huge.png", schemas.S3ReasonPutObject)
	if err := h.Handle(context.Background(), ev); err != nil {
		b.Fatal(err)
	}
	start := fake.BytesServed()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := h.Handle(context.Background(), ev); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(fake.BytesServed()-start)/float64(b.N), "bytes-read/op")
}
