package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-xray-sdk-go/xray"

	"github.com/tracebridge/tracebridge/schemas"
	"github.com/tracebridge/tracebridge/testharness"
	"github.com/tracebridge/tracebridge/testharness/completion"
	"github.com/tracebridge/tracebridge/testharness/localtest"
)

// The handler runs against the local cloud: a real bucket whose server
// access log tells which requests the handler made (and what S3 answered),
// and a real bus whose events a rule copies to a queue the test reads.

func TestMain(m *testing.M) { os.Exit(localtest.Main(m)) }

const traceHdr = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"

type fixture struct {
	h      *Handler
	s3     *s3.Client
	bucket string
	logs   string // the bucket's access log bucket
	bus    *localtest.Bus
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	cfg := localtest.Config(t)
	f := &fixture{s3: testharness.NewS3Client(cfg), bucket: localtest.Name("images"), bus: localtest.NewBus(t)}
	f.logs = f.bucket + "-logs"
	ctx := context.Background()
	for _, b := range []string{f.bucket, f.logs} {
		if _, err := f.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
			t.Fatalf("CreateBucket %s: %v", b, err)
		}
	}
	if _, err := f.s3.PutBucketLogging(ctx, &s3.PutBucketLoggingInput{Bucket: aws.String(f.bucket),
		BucketLoggingStatus: &types.BucketLoggingStatus{LoggingEnabled: &types.LoggingEnabled{TargetBucket: aws.String(f.logs), TargetPrefix: aws.String("")}}}); err != nil {
		t.Fatalf("PutBucketLogging: %v", err)
	}
	f.h = &Handler{
		S3:     f.s3,
		Events: &completion.Publisher{Client: eventbridge.NewFromConfig(cfg), Bus: f.bus.Name, Backoff: func(int) time.Duration { return 0 }},
		Log:    slog.New(slog.DiscardHandler),
	}
	return f
}

// object is what a test uploads; Size > len(Data) pads with zeros.
type object struct {
	Data     []byte
	Size     int
	Metadata map[string]string
	// The system metadata the handler must carry over.
	ContentType, CacheControl, ContentDisposition, ContentLanguage string
	Expires                                                        *time.Time
	StorageClass                                                   types.StorageClass
}

func (f *fixture) put(t testing.TB, key string, o object) {
	t.Helper()
	data := o.Data
	if o.Size > len(data) {
		data = append(data, make([]byte, o.Size-len(data))...)
	}
	in := &s3.PutObjectInput{Bucket: aws.String(f.bucket), Key: aws.String(key), Body: bytes.NewReader(data), Metadata: o.Metadata,
		ContentType: optional(o.ContentType), CacheControl: optional(o.CacheControl), ContentDisposition: optional(o.ContentDisposition),
		ContentLanguage: optional(o.ContentLanguage), Expires: o.Expires, StorageClass: o.StorageClass}
	if _, err := f.s3.PutObject(context.Background(), in); err != nil {
		t.Fatalf("PutObject %s: %v", key, err)
	}
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// head is the object as S3 has it now; nil once it is gone.
func (f *fixture) head(t testing.TB, key string) *s3.HeadObjectOutput {
	t.Helper()
	out, err := f.s3.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(f.bucket), Key: aws.String(key)})
	var missing *types.NotFound
	if errors.As(err, &missing) {
		return nil
	}
	if err != nil {
		t.Fatalf("HeadObject %s: %v", key, err)
	}
	return out
}

func (f *fixture) handle(t testing.TB, ctx context.Context, key, reason string) error {
	t.Helper()
	return f.h.Handle(ctx, objectCreated(t, f.bucket, key, reason))
}

// objectCreated is the documented "Object Created" event (testdata) for
// bucket/key with the given reason.
func objectCreated(t testing.TB, bucket, key, reason string) events.EventBridgeEvent {
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

// eventsOf decodes the events of one detail-type the handler put on the
// bus, which must all be the app's.
func eventsOf[T any](t *testing.T, f *fixture, detailType string) []T {
	t.Helper()
	all := f.bus.Events(t)
	for _, e := range all {
		if e.Source != schemas.AppEventSource {
			t.Errorf("event from %s, want %s", e.Source, schemas.AppEventSource)
		}
	}
	return localtest.Details[T](t, all, detailType)
}

// s3Request is one record of the bucket's server access log (S3 User
// Guide, "Amazon S3 server access log format").
type s3Request struct {
	Operation  string // REST.GET.OBJECT, REST.COPY.OBJECT, …
	Key        string // URL-encoded
	Status     int
	ErrorCode  string // "-" when none
	BytesSent  int64
	ObjectSize int64
}

// requests returns the bucket's logged requests of one operation, once
// the cloud has settled (every record delivered), in no particular order.
func (f *fixture) requests(t testing.TB, operation string) []s3Request {
	t.Helper()
	localtest.Settle(t)
	ctx := context.Background()
	var out []s3Request
	pages := s3.NewListObjectsV2Paginator(f.s3, &s3.ListObjectsV2Input{Bucket: aws.String(f.logs)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			t.Fatalf("list the access log: %v", err)
		}
		for _, o := range page.Contents {
			obj, err := f.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(f.logs), Key: o.Key})
			if err != nil {
				t.Fatalf("read log object %s: %v", aws.ToString(o.Key), err)
			}
			raw, err := io.ReadAll(obj.Body)
			obj.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
				if r := parseAccessLogRecord(t, line); r.Operation == operation {
					out = append(out, r)
				}
			}
		}
	}
	return out
}

// parseAccessLogRecord reads the fields a test asserts on: space-separated,
// a [time] and "quoted" fields each one field.
func parseAccessLogRecord(t testing.TB, line string) s3Request {
	t.Helper()
	var fields []string
	for rest := line; rest != ""; rest = strings.TrimPrefix(rest, " ") {
		end := strings.IndexByte(rest, ' ')
		switch rest[0] {
		case '[':
			end = strings.IndexByte(rest, ']') + 1
		case '"':
			end = strings.IndexByte(rest[1:], '"') + 2
		}
		if end <= 0 {
			end = len(rest)
		}
		fields, rest = append(fields, rest[:end]), rest[end:]
	}
	if len(fields) < 13 {
		t.Fatalf("access log record with %d fields: %s", len(fields), line)
	}
	number := func(s string) int64 {
		n, _ := strconv.ParseInt(s, 10, 64) // "-": 0
		return n
	}
	return s3Request{Operation: fields[6], Key: fields[7], Status: int(number(fields[9])), ErrorCode: fields[10],
		BytesSent: number(fields[11]), ObjectSize: number(fields[12])}
}

// statuses lists the HTTP statuses of requests, for messages.
func statuses(rs []s3Request) []int {
	out := make([]int, len(rs))
	for i, r := range rs {
		out[i] = r.Status
	}
	return out
}

// racingS3 is the handler's S3 client with another writer racing it:
// beforeCopy runs just before the handler's first CopyObject, after its
// read.
type racingS3 struct {
	S3API
	beforeCopy func()
}

func (r *racingS3) CopyObject(ctx context.Context, in *s3.CopyObjectInput, opts ...func(*s3.Options)) (*s3.CopyObjectOutput, error) {
	if r.beforeCopy != nil {
		r.beforeCopy()
		r.beforeCopy = nil
	}
	return r.S3API.CopyObject(ctx, in, opts...)
}
