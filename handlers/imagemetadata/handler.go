package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-xray-sdk-go/xray"
	"github.com/aws/smithy-go"

	"github.com/tracebridge/tracebridge/handlers/imagemetadata/imagesize"
	"github.com/tracebridge/tracebridge/schemas"
	"github.com/tracebridge/tracebridge/testharness/awserr"
	"github.com/tracebridge/tracebridge/testharness/completion"
)

// S3API is the part of the S3 client the handler uses.
type S3API interface {
	GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	CopyObject(ctx context.Context, in *s3.CopyObjectInput, opts ...func(*s3.Options)) (*s3.CopyObjectOutput, error)
}

// headerRange is the only part of an object the handler reads.
var headerRange = fmt.Sprintf("bytes=0-%d", imagesize.MaxHeaderBytes-1)

// maxCopyAttempts bounds the read–copy rounds when the object keeps changing
// under us (CopySourceIfMatch failing); after that the platform retries.
const maxCopyAttempts = 3

// Handler writes an image's dimensions into its S3 user metadata when S3
// reports the object created, and announces the outcome on the app bus.
type Handler struct {
	S3     S3API
	Events *completion.Publisher
	Log    *slog.Logger
}

// Handle processes one S3 "Object Created" event from EventBridge.
//
// Outcomes: dimensions written → ImageMetadataWritten; not an image,
// truncated or absurd header → ImageMetadataFailed, nothing written, nil
// returned (retrying cannot help); an AWS error retrying cannot fix (a
// denial, a missing bucket, an invalid request: see awserr) →
// ImageMetadataFailed with AWS's code and message, nil returned; object
// deleted meanwhile (NoSuchKey) → nothing at all: it has no metadata left to
// set nor a correlation id to report, and a re-upload brings its own event;
// S3 throttling, 5xx, repeated concurrent overwrites, or an event that
// cannot be put → error, so Lambda retries the event (after 1 and 2
// minutes).
//
// An object already carrying its dimensions is not copied again. The event
// of our own copy (reason CopyObject) then emits nothing, which is what
// keeps the copy from looping; any other event (the upload's, delivered
// again, or retried because its announcement could not be put) announces
// ImageMetadataWritten again, so an outcome is never lost. The price is a
// duplicate window: a delivery repeated after a successful announcement
// announces twice (consumers pair by correlation id and tolerate it), and a
// person's CopyObject of an image that already carries its dimensions is
// as silent as our own copy: its event looks the same.
func (h *Handler) Handle(ctx context.Context, event events.EventBridgeEvent) error {
	if event.Source != schemas.S3EventSource || event.DetailType != schemas.DetailTypeObjectCreated {
		return fmt.Errorf("unexpected event %s/%s: this function handles %s %q only",
			event.Source, event.DetailType, schemas.S3EventSource, schemas.DetailTypeObjectCreated)
	}
	var detail schemas.S3ObjectCreatedDetail
	if err := json.Unmarshal(event.Detail, &detail); err != nil {
		return fmt.Errorf("decode Object Created detail of event %s: %w", event.ID, err)
	}
	key, err := schemas.DecodeS3EventKey(detail.Object.Key)
	if err != nil {
		return fmt.Errorf("event %s: %w", event.ID, err)
	}
	if detail.Bucket.Name == "" {
		return fmt.Errorf("event %s names no bucket", event.ID)
	}

	var seg *xray.Segment
	if tracing(ctx) {
		ctx, seg = xray.BeginSubsegment(ctx, "image-metadata")
	}
	if seg != nil {
		_ = seg.AddAnnotation("bucket", detail.Bucket.Name)
		_ = seg.AddAnnotation("key", key)
	}
	err = h.process(ctx, seg, detail.Bucket.Name, key, detail.Reason == schemas.S3ReasonCopyObject)
	if seg != nil {
		seg.Close(err)
	}
	return err
}

// tracing reports whether ctx carries X-Ray context: a segment, or the trace
// header Lambda hands each invocation. Without either (unit tests, local
// runs) the handler works untraced instead of logging context-missing errors.
func tracing(ctx context.Context) bool {
	_, lambdaHeader := ctx.Value(xray.LambdaTraceHeaderKey).(string)
	return lambdaHeader || xray.GetSegment(ctx) != nil
}

// process sizes the object and records its dimensions; byCopy says the
// event was caused by a CopyObject, as our own copy's is.
func (h *Handler) process(ctx context.Context, seg *xray.Segment, bucket, key string, byCopy bool) error {
	log := h.logger().With("bucket", bucket, "key", key)
	for attempt := 1; ; attempt++ {
		obj, err := h.read(ctx, bucket, key)
		switch {
		case isNoSuchKey(err):
			log.Info("object deleted before it could be read; nothing to do")
			return nil
		case err != nil:
			return h.failOrRetry(ctx, log, schemas.ImageMetadataFailed{Bucket: bucket, Key: key}, err)
		}
		completion.Annotate(seg, obj.correlationID)
		log := log.With("correlation_id", obj.correlationID)
		if obj.sizeErr != nil {
			log.Info("not an image that can be sized; nothing written", "reason", obj.sizeErr)
			return h.publish(ctx, log, schemas.DetailTypeImageMetadataFailed, schemas.ImageMetadataFailed{
				Bucket: bucket, Key: key, Reason: obj.sizeErr.Error(), CorrelationID: obj.correlationID,
			})
		}
		written := schemas.ImageMetadataWritten{
			Bucket: bucket, Key: key, Width: obj.info.Width, Height: obj.info.Height,
			Format: obj.info.Format, CorrelationID: obj.correlationID,
		}
		width, height := strconv.Itoa(obj.info.Width), strconv.Itoa(obj.info.Height)
		if obj.meta[schemas.S3UserMetadataImageWidth] == width && obj.meta[schemas.S3UserMetadataImageHeight] == height {
			if byCopy {
				log.Info("dimensions already recorded and the event is a copy's (ours); nothing to do", "width", width, "height", height)
				return nil
			}
			log.Info("dimensions already recorded; announcing them again for this delivery", "width", width, "height", height)
			return h.publish(ctx, log, schemas.DetailTypeImageMetadataWritten, written)
		}
		err = h.copyWithDimensions(ctx, bucket, key, obj, width, height)
		if isPreconditionFailed(err) && attempt < maxCopyAttempts {
			log.Info("object changed between read and copy; reading it again", "attempt", attempt)
			continue
		}
		if isNoSuchKey(err) {
			log.Info("object deleted before it could be copied; nothing to do")
			return nil
		}
		if err != nil {
			return h.failOrRetry(ctx, log, schemas.ImageMetadataFailed{Bucket: bucket, Key: key, CorrelationID: obj.correlationID}, err)
		}
		log.Info("dimensions written", "width", width, "height", height, "format", obj.info.Format)
		return h.publish(ctx, log, schemas.DetailTypeImageMetadataWritten, written)
	}
}

// failOrRetry returns err, for Lambda to retry the event, unless it is an
// AWS error retrying cannot fix: that one is announced at once as failed
// (with AWS's code and message, failed's other fields as given).
func (h *Handler) failOrRetry(ctx context.Context, log *slog.Logger, failed schemas.ImageMetadataFailed, err error) error {
	p, ok := awserr.AsPermanent(err)
	if !ok {
		return err
	}
	failed.Reason, failed.ErrorCode, failed.ErrorMessage = p.Reason(), p.Code, p.Message
	log.Error("AWS refused the work and retrying cannot help; nothing written", "reason", failed.Reason)
	return h.publish(ctx, log, schemas.DetailTypeImageMetadataFailed, failed)
}

// publish puts one event on the app bus. When it cannot, it logs one line
// naming AWS's error and returns the error, so that Lambda retries the
// event and the function's log says why the outcome was not announced.
func (h *Handler) publish(ctx context.Context, log *slog.Logger, detailType string, detail any) error {
	err := h.Events.PublishOne(ctx, detailType, detail)
	if err != nil {
		code, msg := awserr.CodeAndMessage(err)
		log.Error(detailType+" could not be put on the app bus; Lambda will retry the event", "error_code", code, "error_message", msg)
	}
	return err
}

// readObject is what one ranged GET told us.
type readObject struct {
	out           *s3.GetObjectOutput // headers only; the body is consumed
	meta          map[string]string   // user metadata, keys lowercase
	correlationID string
	info          imagesize.Info
	sizeErr       error // why the object cannot be sized, if it cannot
}

// read fetches the object's first MaxHeaderBytes and sizes it. An empty
// object (S3 answers 416 InvalidRange to any range) counts as truncated; its
// user metadata, and so its correlation id, is not read (known gap).
func (h *Handler) read(ctx context.Context, bucket, key string) (readObject, error) {
	out, err := h.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Range: aws.String(headerRange)})
	if err != nil {
		var ae smithy.APIError
		if errors.As(err, &ae) && ae.ErrorCode() == "InvalidRange" {
			return readObject{sizeErr: fmt.Errorf("empty object: %w", imagesize.ErrTruncated)}, nil
		}
		return readObject{}, fmt.Errorf("read s3://%s/%s: %w", bucket, key, err)
	}
	defer out.Body.Close()
	obj := readObject{out: out, meta: make(map[string]string, len(out.Metadata))}
	for k, v := range out.Metadata {
		obj.meta[strings.ToLower(k)] = v
	}
	obj.correlationID = obj.meta[schemas.S3UserMetadataCorrelationID]
	obj.info, obj.sizeErr = imagesize.Decode(out.Body)
	if obj.sizeErr != nil && !isSizeError(obj.sizeErr) {
		return readObject{}, fmt.Errorf("read s3://%s/%s: %w", bucket, key, obj.sizeErr)
	}
	return obj, nil
}

func isSizeError(err error) bool {
	var de *imagesize.DimensionsError
	return errors.As(err, &de) || errors.Is(err, imagesize.ErrUnknownFormat) || errors.Is(err, imagesize.ErrTruncated) ||
		errors.Is(err, imagesize.ErrCorrupt) || errors.Is(err, imagesize.ErrHeaderTooLarge)
}

// copyWithDimensions copies the object onto itself with the dimensions
// added to its user metadata. MetadataDirective REPLACE drops whatever the
// request does not restate, so the system metadata read with the object is
// restated; CopySourceIfMatch makes the copy fail if the object changed
// since it was read, instead of stamping new content with old dimensions.
func (h *Handler) copyWithDimensions(ctx context.Context, bucket, key string, obj readObject, width, height string) error {
	meta := make(map[string]string, len(obj.meta)+2)
	for k, v := range obj.meta {
		meta[k] = v
	}
	meta[schemas.S3UserMetadataImageWidth] = width
	meta[schemas.S3UserMetadataImageHeight] = height
	o := obj.out
	in := &s3.CopyObjectInput{
		Bucket:                  aws.String(bucket),
		Key:                     aws.String(key),
		CopySource:              aws.String(copySource(bucket, key)),
		CopySourceIfMatch:       o.ETag,
		MetadataDirective:       types.MetadataDirectiveReplace,
		Metadata:                meta,
		ContentType:             o.ContentType,
		CacheControl:            o.CacheControl,
		ContentDisposition:      o.ContentDisposition,
		ContentEncoding:         o.ContentEncoding,
		ContentLanguage:         o.ContentLanguage,
		WebsiteRedirectLocation: o.WebsiteRedirectLocation,
		ServerSideEncryption:    o.ServerSideEncryption,
		BucketKeyEnabled:        o.BucketKeyEnabled,
	}
	if o.ServerSideEncryption == types.ServerSideEncryptionAwsKms || o.ServerSideEncryption == types.ServerSideEncryptionAwsKmsDsse {
		in.SSEKMSKeyId = o.SSEKMSKeyId
	}
	if o.StorageClass != "" && o.StorageClass != types.StorageClassStandard {
		in.StorageClass = types.StorageClass(o.StorageClass)
	}
	if o.ExpiresString != nil {
		if t, err := http.ParseTime(*o.ExpiresString); err == nil {
			in.Expires = aws.Time(t.UTC().Truncate(time.Second))
		}
	}
	if _, err := h.S3.CopyObject(ctx, in); err != nil {
		return fmt.Errorf("copy s3://%s/%s onto itself with image dimensions: %w", bucket, key, err)
	}
	return nil
}

// copySource is the x-amz-copy-source value: bucket/key, URL-encoded (the
// SDK sends it as given). Everything but unreserved characters and the
// slashes is percent-encoded, so '+' cannot be read back as a space.
func copySource(bucket, key string) string {
	var b strings.Builder
	for _, c := range []byte(bucket + "/" + key) {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', strings.IndexByte("-_.~/", c) >= 0:
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func isPreconditionFailed(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == "PreconditionFailed"
}

// isNoSuchKey reports S3's NoSuchKey: GetObject's modeled types.NoSuchKey
// or CopyObject's unmodeled error of the same code (its source is gone).
func isNoSuchKey(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == "NoSuchKey"
}

func (h *Handler) logger() *slog.Logger {
	if h.Log != nil {
		return h.Log
	}
	return slog.Default()
}
