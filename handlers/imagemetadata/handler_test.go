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
	"slices"
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
	//lint:ignore SA1029 the X-Ray SDK reads the Lambda trace header under this string key, where aws-lambda-go puts it
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

// eventsOf decodes the events of one detail-type the handler put, which
// must all be the app's, on the app bus.
func eventsOf[T any](t *testing.T, fake *fakeaws.Server, detailType string) []T {
	t.Helper()
	for _, e := range fake.Events() {
		if e.Source != schemas.AppEventSource || e.EventBusName != "app-bus" {
			t.Errorf("event from %s on %s, want %s on app-bus", e.Source, e.EventBusName, schemas.AppEventSource)
		}
	}
	out, err := fakeaws.EventDetails[T](fake, detailType)
	if err != nil {
		t.Fatal(err)
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

func TestRedeliveredUploadAnnouncesAgainAndOwnCopyEventIsSilent(t *testing.T) {
	h, fake := newHandler(t)
	fake.PutObject(bucket, "a.png", fakeaws.Object{Data: encode(t, "png", 172, 178), Metadata: map[string]string{"correlation-id": "c-1"}})
	put := objectCreated(t, "a.png", schemas.S3ReasonPutObject)
	ownCopy := objectCreated(t, "a.png", schemas.S3ReasonCopyObject)
	for i, c := range []struct {
		event  events.EventBridgeEvent
		events int // ImageMetadataWritten events so far
	}{{put, 1}, {ownCopy, 1}, {put, 2}, {ownCopy, 2}} {
		if err := h.Handle(context.Background(), c.event); err != nil {
			t.Fatal(err)
		}
		written := eventsOf[schemas.ImageMetadataWritten](t, fake, schemas.DetailTypeImageMetadataWritten)
		if len(written) != c.events || written[len(written)-1].CorrelationID != "c-1" || written[len(written)-1].Width != 172 {
			t.Fatalf("after delivery %d (%s): ImageMetadataWritten %+v, want %d", i+1, c.event.Detail, written, c.events)
		}
	}
	if n := len(fake.Requests("CopyObject")); n != 1 {
		t.Errorf("%d copies, want 1", n)
	}
}

// TestOutcomeAnnouncedByTheRetryWhenItsEventCouldNotBePut: the metadata is
// written but PutEvents keeps failing, so Handle fails and Lambda retries
// the event; the retry finds the metadata right and announces it.
func TestOutcomeAnnouncedByTheRetryWhenItsEventCouldNotBePut(t *testing.T) {
	h, fake := newHandler(t)
	fake.PutObject(bucket, "a.png", fakeaws.Object{Data: encode(t, "png", 8, 8), Metadata: map[string]string{"correlation-id": "c-2"}})
	for range 3 { // every attempt of the publisher
		fake.FailNext("PutEvents", fakeaws.Fault{Status: http.StatusServiceUnavailable, Code: "ServiceUnavailable", Message: "Service is unavailable"})
	}
	put := objectCreated(t, "a.png", schemas.S3ReasonPutObject)
	if err := h.Handle(context.Background(), put); err == nil || !strings.Contains(err.Error(), "ServiceUnavailable") {
		t.Fatalf("Handle = %v, want the PutEvents error (for Lambda to retry)", err)
	}
	if obj, _ := fake.GetObject(bucket, "a.png"); obj.Metadata["image_width"] != "8" {
		t.Fatalf("metadata %v, want the dimensions written before the announcement failed", obj.Metadata)
	}
	if err := h.Handle(context.Background(), put); err != nil {
		t.Fatal(err)
	}
	written := eventsOf[schemas.ImageMetadataWritten](t, fake, schemas.DetailTypeImageMetadataWritten)
	if len(written) != 1 || written[0].CorrelationID != "c-2" {
		t.Fatalf("ImageMetadataWritten %+v, want one for c-2 from the retry", written)
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
	for _, c := range []struct {
		op    string
		fault fakeaws.Fault
	}{
		{"GetObject", fakeaws.Fault{Status: http.StatusServiceUnavailable, Code: "SlowDown", Message: "Please reduce your request rate."}},
		{"CopyObject", fakeaws.Fault{Status: http.StatusServiceUnavailable, Code: "SlowDown", Message: "Please reduce your request rate."}},
		{"CopyObject", fakeaws.Fault{Status: http.StatusInternalServerError, Code: "InternalError", Message: "We encountered an internal error. Please try again."}},
	} {
		t.Run(c.op+" "+c.fault.Code, func(t *testing.T) {
			h, fake := newHandler(t)
			fake.PutObject(bucket, "a.png", fakeaws.Object{Data: encode(t, "png", 4, 4)})
			fake.FailNext(c.op, c.fault)
			err := h.Handle(context.Background(), objectCreated(t, "a.png", schemas.S3ReasonPutObject))
			if err == nil || !strings.Contains(err.Error(), c.fault.Code) {
				t.Fatalf("Handle = %v, want the %s error", err, c.fault.Code)
			}
			if n := len(fake.Events()); n != 0 {
				t.Fatalf("%d events after a transient error, want none", n)
			}
		})
	}
}

// denialOf is S3's AccessDenied message for the function's role lacking
// action on the object (AWS IAM User Guide, "Troubleshoot access denied
// error messages"; the local cloud words it the same).
func denialOf(action, key string) string {
	return `User: arn:aws:sts::000000000000:assumed-role/ImageRole/fn is not authorized to perform: ` + action +
		` on resource: "arn:aws:s3:::` + bucket + `/` + key + `" because no identity-based policy allows the ` + action + ` action`
}

func TestPermanentS3ErrorsAreAnnouncedAtOnce(t *testing.T) {
	for _, c := range []struct {
		op          string
		fault       fakeaws.Fault
		reason      string
		correlation string // the read is what finds the correlation id
	}{
		{"GetObject", fakeaws.Fault{Status: http.StatusForbidden, Code: "AccessDenied", Message: denialOf("s3:GetObject", "a.png")},
			"s3:GetObject denied: " + denialOf("s3:GetObject", "a.png"), ""},
		{"GetObject", fakeaws.Fault{Status: http.StatusNotFound, Code: "NoSuchBucket", Message: "The specified bucket does not exist"},
			"GetObject failed: NoSuchBucket: The specified bucket does not exist", ""},
		{"CopyObject", fakeaws.Fault{Status: http.StatusForbidden, Code: "AccessDenied", Message: denialOf("s3:PutObject", "a.png")},
			"s3:PutObject denied: " + denialOf("s3:PutObject", "a.png"), "c-3"},
		{"CopyObject", fakeaws.Fault{Status: http.StatusBadRequest, Code: "InvalidRequest", Message: "The specified copy source is larger than the maximum allowable size for a copy source: 5368709120"},
			"CopyObject failed: InvalidRequest: The specified copy source is larger than the maximum allowable size for a copy source: 5368709120", "c-3"},
	} {
		t.Run(c.op+" "+c.fault.Code, func(t *testing.T) {
			h, fake := newHandler(t)
			fake.PutObject(bucket, "a.png", fakeaws.Object{Data: encode(t, "png", 4, 4), Metadata: map[string]string{"correlation-id": "c-3"}})
			fake.FailNext(c.op, c.fault)
			if err := h.Handle(context.Background(), objectCreated(t, "a.png", schemas.S3ReasonPutObject)); err != nil {
				t.Fatalf("Handle = %v, want nil: retrying cannot help", err)
			}
			failed := eventsOf[schemas.ImageMetadataFailed](t, fake, schemas.DetailTypeImageMetadataFailed)
			want := schemas.ImageMetadataFailed{Bucket: bucket, Key: "a.png", Reason: c.reason,
				ErrorCode: c.fault.Code, ErrorMessage: c.fault.Message, CorrelationID: c.correlation}
			if len(failed) != 1 || failed[0] != want {
				t.Fatalf("ImageMetadataFailed %+v\nwant [%+v]", failed, want)
			}
			if n := len(fake.Events()); n != 1 {
				t.Errorf("%d events, want only the failure", n)
			}
			if obj, _ := fake.GetObject(bucket, "a.png"); obj.Metadata["image_width"] != "" {
				t.Errorf("metadata %v written despite the failure", obj.Metadata)
			}
		})
	}
}

// TestFailureEventThatCannotBePutIsAnError: denied S3 and denied PutEvents
// → the error is returned (Lambda retries, its log keeps it) after one log
// line naming PutEvents' code and message and the correlation id.
func TestFailureEventThatCannotBePutIsAnError(t *testing.T) {
	h, fake := newHandler(t)
	var logged bytes.Buffer
	h.Log = slog.New(slog.NewJSONHandler(&logged, nil))
	fake.PutObject(bucket, "a.png", fakeaws.Object{Data: encode(t, "png", 4, 4), Metadata: map[string]string{"correlation-id": "c-4"}})
	fake.FailNext("CopyObject", fakeaws.Fault{Status: http.StatusForbidden, Code: "AccessDenied", Message: denialOf("s3:PutObject", "a.png")})
	putDenial := "User: arn:aws:sts::000000000000:assumed-role/ImageRole/fn is not authorized to perform: events:PutEvents on resource: arn:aws:events:us-east-1:000000000000:event-bus/app-bus because no identity-based policy allows the events:PutEvents action"
	fake.FailNext("PutEvents", fakeaws.Fault{Status: http.StatusBadRequest, Code: "AccessDeniedException", Message: putDenial})
	err := h.Handle(context.Background(), objectCreated(t, "a.png", schemas.S3ReasonPutObject))
	if err == nil || !strings.Contains(err.Error(), "AccessDeniedException") {
		t.Fatalf("Handle = %v, want PutEvents' AccessDeniedException", err)
	}
	if n := len(fake.Requests("PutEvents")); n != 1 {
		t.Errorf("%d PutEvents calls, want 1: a denial is not retried", n)
	}
	if !slices.ContainsFunc(strings.Split(logged.String(), "\n"), func(l string) bool {
		return strings.Contains(l, schemas.DetailTypeImageMetadataFailed) && strings.Contains(l, `"correlation_id":"c-4"`) &&
			strings.Contains(l, `"error_code":"AccessDeniedException"`) && strings.Contains(l, `"error_message":"`+putDenial+`"`)
	}) {
		t.Fatalf("no log line naming ImageMetadataFailed, PutEvents' code and message and c-4 in:\n%s", logged.String())
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
	// Deleted between the read and the copy: the copy's source is gone.
	fake.PutObject(bucket, "going.png", fakeaws.Object{Data: encode(t, "png", 4, 4)})
	fake.FailNext("CopyObject", fakeaws.Fault{Status: http.StatusNotFound, Code: "NoSuchKey", Message: "The specified key does not exist."})
	if err := h.Handle(context.Background(), objectCreated(t, "going.png", schemas.S3ReasonPutObject)); err != nil {
		t.Fatal(err)
	}
	if len(fake.Events()) != 0 {
		t.Fatalf("an object deleted before its copy produced events %+v", fake.Events())
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
// already recorded and the event is our copy's) against a 100 MB object.
func BenchmarkHandleHeaderOf100MB(b *testing.B) {
	h, fake := newHandler(b)
	fake.PutObject(bucket, "huge.png", fakeaws.Object{Data: encode(b, "png", 172, 178), Size: 100 << 20})
	if err := h.Handle(context.Background(), objectCreated(b, "huge.png", schemas.S3ReasonPutObject)); err != nil {
		b.Fatal(err)
	}
	ev := objectCreated(b, "huge.png", schemas.S3ReasonCopyObject)
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
