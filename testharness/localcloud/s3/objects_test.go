package s3_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/tracebridge/tracebridge/testharness/localcloud/gateway"
	"github.com/tracebridge/tracebridge/testharness/localcloud/identity"
	"github.com/tracebridge/tracebridge/testharness/localcloud/internal/awstest"
	"github.com/tracebridge/tracebridge/testharness/localcloud/s3"
)

func TestPutGetKeepsMetadataAsS3Does(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.bucket(t, "meta")
	body := "hello, world"
	put, err := e.client.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("meta"), Key: aws.String("a/b.txt"),
		Body: strings.NewReader(body), ContentType: aws.String("text/plain"), CacheControl: aws.String("max-age=60"),
		ContentDisposition: aws.String("inline"), ContentLanguage: aws.String("en"),
		Metadata: map[string]string{"Correlation-Id": "c-1", "image_width": "640"}})
	if err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	wantETag := fmt.Sprintf(`"%x"`, md5.Sum([]byte(body)))
	if aws.ToString(put.ETag) != wantETag {
		t.Errorf("ETag = %s, want %s", aws.ToString(put.ETag), wantETag)
	}
	got, err := e.client.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("meta"), Key: aws.String("a/b.txt")})
	if err != nil {
		t.Fatalf("GetObject: %v", err)
	}
	data, _ := io.ReadAll(got.Body)
	got.Body.Close()
	if string(data) != body {
		t.Errorf("body = %q, want %q", data, body)
	}
	if want := map[string]string{"correlation-id": "c-1", "image_width": "640"}; !reflect.DeepEqual(got.Metadata, want) {
		t.Errorf("Metadata = %v, want %v", got.Metadata, want)
	}
	if aws.ToString(got.ContentType) != "text/plain" || aws.ToString(got.CacheControl) != "max-age=60" ||
		aws.ToString(got.ContentDisposition) != "inline" || aws.ToString(got.ContentLanguage) != "en" || got.ContentEncoding != nil {
		t.Errorf("system metadata = %q %q %q %q %v", aws.ToString(got.ContentType), aws.ToString(got.CacheControl),
			aws.ToString(got.ContentDisposition), aws.ToString(got.ContentLanguage), got.ContentEncoding)
	}
	if got.LastModified == nil || !got.LastModified.Equal(start) || aws.ToString(got.ETag) != wantETag {
		t.Errorf("LastModified %v ETag %s, want %v %s", got.LastModified, aws.ToString(got.ETag), start, wantETag)
	}

	// Other x-amz-* headers are never user metadata.
	req, _ := http.NewRequest(http.MethodPut, e.url+"/meta/raw", strings.NewReader("x"))
	req.Header.Set("X-Amz-Meta-Kept", "yes")
	req.Header.Set("X-Amz-Foo", "no")
	req.Header.Set("X-Amz-Tagging", "a=b")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("raw PUT: %v %v", resp, err)
	}
	resp.Body.Close()
	head, err := e.client.HeadObject(ctx, &awss3.HeadObjectInput{Bucket: aws.String("meta"), Key: aws.String("raw")})
	if err != nil {
		t.Fatalf("HeadObject: %v", err)
	}
	if want := map[string]string{"kept": "yes"}; !reflect.DeepEqual(head.Metadata, want) {
		t.Errorf("Metadata = %v, want %v", head.Metadata, want)
	}
	if aws.ToString(head.ContentType) != "binary/octet-stream" || aws.ToInt64(head.ContentLength) != 1 {
		t.Errorf("HeadObject type %q length %d, want binary/octet-stream 1", aws.ToString(head.ContentType), aws.ToInt64(head.ContentLength))
	}

	_, err = e.client.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("meta"), Key: aws.String("missing")})
	wantCode(t, err, "NoSuchKey")
	_, err = e.client.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("nobucket"), Key: aws.String("k")})
	wantCode(t, err, "NoSuchBucket")
	_, err = e.client.HeadObject(ctx, &awss3.HeadObjectInput{Bucket: aws.String("meta"), Key: aws.String("missing")})
	wantCode(t, err, "NotFound")
}

// TestAWSChunkedUploads drives the SDK over TLS, where PutObject sends
// aws-chunked bodies with a trailing CRC32 (x-amz-content-sha256:
// STREAMING-UNSIGNED-PAYLOAD-TRAILER).
func TestAWSChunkedUploads(t *testing.T) {
	svc := s3.New(s3.Options{})
	g := gateway.New(identity.NewStore())
	g.Register(svc.Route())
	var seen []string
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, r.Header.Get("X-Amz-Content-Sha256")+" "+r.Header.Get("Content-Encoding"))
		g.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	cfg := awstest.Config(t, srv.URL)
	cfg.HTTPClient = srv.Client()
	client := awss3.NewFromConfig(cfg, func(o *awss3.Options) { o.UsePathStyle = true; o.DisableLogOutputChecksumValidationSkipped = true })
	ctx := context.Background()
	if _, err := client.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String("chunky")}); err != nil {
		t.Fatal(err)
	}
	payload := bytes.Repeat([]byte("0123456789abcdef"), 100_000) // 1.6 MB: several chunks
	bodies := map[string]io.Reader{
		"seekable":   bytes.NewReader(payload),
		"unseekable": io.MultiReader(bytes.NewReader(payload)), // no length, no Seek
	}
	for name, body := range bodies {
		seen = nil
		in := &awss3.PutObjectInput{Bucket: aws.String("chunky"), Key: aws.String(name), Body: body, ContentType: aws.String("application/octet-stream")}
		if name == "unseekable" {
			in.ContentLength = aws.Int64(int64(len(payload)))
		}
		if _, err := client.PutObject(ctx, in); err != nil {
			t.Fatalf("PutObject %s: %v", name, err)
		}
		if len(seen) != 1 || !strings.HasPrefix(seen[0], "STREAMING-") || !strings.Contains(seen[0], "aws-chunked") {
			t.Errorf("PutObject %s sent %q; want an aws-chunked streaming body", name, seen)
		}
		got, err := client.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("chunky"), Key: aws.String(name), ChecksumMode: types.ChecksumModeEnabled})
		if err != nil {
			t.Fatalf("GetObject %s: %v", name, err)
		}
		data, err := io.ReadAll(got.Body) // the SDK validates the CRC32 we return
		got.Body.Close()
		if err != nil || !bytes.Equal(data, payload) {
			t.Fatalf("GetObject %s: %d bytes, %v; want the %d bytes put", name, len(data), err, len(payload))
		}
		if got.ContentEncoding != nil {
			t.Errorf("%s stored Content-Encoding %q; aws-chunked must not be kept", name, aws.ToString(got.ContentEncoding))
		}
		if aws.ToString(got.ChecksumCRC32) == "" {
			t.Errorf("%s: no CRC32 returned with checksum mode enabled", name)
		}
	}
}

func TestCopyObjectDirectives(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.bucket(t, "src")
	e.bucket(t, "dst")
	_, err := e.client.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("src"), Key: aws.String("img.png"), Body: strings.NewReader("png"),
		ContentType: aws.String("image/png"), CacheControl: aws.String("no-cache"), Metadata: map[string]string{"correlation": "c1"}})
	if err != nil {
		t.Fatal(err)
	}

	if _, err := e.client.CopyObject(ctx, &awss3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("copy.png"), CopySource: aws.String("src/img.png")}); err != nil {
		t.Fatalf("CopyObject COPY: %v", err)
	}
	head, err := e.client.HeadObject(ctx, &awss3.HeadObjectInput{Bucket: aws.String("dst"), Key: aws.String("copy.png")})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(head.Metadata, map[string]string{"correlation": "c1"}) || aws.ToString(head.ContentType) != "image/png" || aws.ToString(head.CacheControl) != "no-cache" {
		t.Errorf("COPY kept %v %q %q; want the source's metadata", head.Metadata, aws.ToString(head.ContentType), aws.ToString(head.CacheControl))
	}

	// REPLACE onto itself: what the image metadata handler does.
	_, err = e.client.CopyObject(ctx, &awss3.CopyObjectInput{Bucket: aws.String("src"), Key: aws.String("img.png"), CopySource: aws.String("src/img.png"),
		MetadataDirective: types.MetadataDirectiveReplace, ContentType: aws.String("image/png"),
		Metadata: map[string]string{"correlation": "c1", "image_width": "1", "image_height": "2"}})
	if err != nil {
		t.Fatalf("CopyObject REPLACE: %v", err)
	}
	head, err = e.client.HeadObject(ctx, &awss3.HeadObjectInput{Bucket: aws.String("src"), Key: aws.String("img.png")})
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{"correlation": "c1", "image_width": "1", "image_height": "2"}; !reflect.DeepEqual(head.Metadata, want) {
		t.Errorf("REPLACE metadata = %v, want %v", head.Metadata, want)
	}
	if aws.ToString(head.ContentType) != "image/png" || head.CacheControl != nil {
		t.Errorf("REPLACE system metadata: type %q cache-control %v; want image/png and none", aws.ToString(head.ContentType), head.CacheControl)
	}

	_, err = e.client.CopyObject(ctx, &awss3.CopyObjectInput{Bucket: aws.String("src"), Key: aws.String("img.png"), CopySource: aws.String("src/img.png")})
	wantCode(t, err, "InvalidRequest")

	etag := aws.ToString(head.ETag)
	past, future := start.Add(-time.Hour), start.Add(time.Hour)
	failing := map[string]*awss3.CopyObjectInput{
		"if-match":            {CopySourceIfMatch: aws.String(`"0000"`)},
		"if-none-match":       {CopySourceIfNoneMatch: aws.String(etag)},
		"if-unmodified-since": {CopySourceIfUnmodifiedSince: &past},
		"if-modified-since":   {CopySourceIfModifiedSince: &future},
	}
	for name, in := range failing {
		in.Bucket, in.Key, in.CopySource = aws.String("dst"), aws.String("cond"), aws.String("src/img.png")
		t.Run(name, func(t *testing.T) {
			_, err := e.client.CopyObject(ctx, in)
			wantCode(t, err, "PreconditionFailed")
		})
	}
	if _, err := e.client.CopyObject(ctx, &awss3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("cond"), CopySource: aws.String("src/img.png"),
		CopySourceIfMatch: aws.String(etag), CopySourceIfUnmodifiedSince: &past}); err != nil {
		t.Errorf("if-match true with if-unmodified-since false must copy (S3's rule): %v", err)
	}
	_, err = e.client.CopyObject(ctx, &awss3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("x"), CopySource: aws.String("src/nope")})
	wantCode(t, err, "NoSuchKey")

	// Keys with spaces and non-ASCII travel URL-encoded in x-amz-copy-source.
	key := "dir/my photo ü+1.png"
	if _, err := e.client.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("src"), Key: aws.String(key), Body: strings.NewReader("z")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.CopyObject(ctx, &awss3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String(key), CopySource: aws.String("src/dir/my%20photo%20%C3%BC%2B1.png")}); err != nil {
		t.Fatalf("CopyObject of an encoded key: %v", err)
	}
}

func TestRangeAndConditionalReads(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.bucket(t, "ranges")
	if _, err := e.client.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("ranges"), Key: aws.String("k"), Body: strings.NewReader("0123456789")}); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ rng, body, contentRange string }{
		{"bytes=0-3", "0123", "bytes 0-3/10"},
		{"bytes=7-", "789", "bytes 7-9/10"},
		{"bytes=-2", "89", "bytes 8-9/10"},
		{"bytes=8-100", "89", "bytes 8-9/10"},
	}
	for _, c := range cases {
		out, err := e.client.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("ranges"), Key: aws.String("k"), Range: aws.String(c.rng)})
		if err != nil {
			t.Fatalf("GetObject %s: %v", c.rng, err)
		}
		data, _ := io.ReadAll(out.Body)
		out.Body.Close()
		if string(data) != c.body || aws.ToString(out.ContentRange) != c.contentRange {
			t.Errorf("%s: %q %q, want %q %q", c.rng, data, aws.ToString(out.ContentRange), c.body, c.contentRange)
		}
	}
	_, err := e.client.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("ranges"), Key: aws.String("k"), Range: aws.String("bytes=10-")})
	wantCode(t, err, "InvalidRange")

	head, _ := e.client.HeadObject(ctx, &awss3.HeadObjectInput{Bucket: aws.String("ranges"), Key: aws.String("k")})
	_, err = e.client.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("ranges"), Key: aws.String("k"), IfNoneMatch: head.ETag})
	wantCode(t, err, "NotModified")
	_, err = e.client.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("ranges"), Key: aws.String("k"), IfMatch: aws.String(`"nope"`)})
	wantCode(t, err, "PreconditionFailed")
	_, err = e.client.HeadObject(ctx, &awss3.HeadObjectInput{Bucket: aws.String("ranges"), Key: aws.String("k"), IfModifiedSince: head.LastModified})
	wantCode(t, err, "NotModified")
	earlier := head.LastModified.Add(-time.Second)
	if _, err := e.client.HeadObject(ctx, &awss3.HeadObjectInput{Bucket: aws.String("ranges"), Key: aws.String("k"), IfModifiedSince: &earlier, IfMatch: head.ETag}); err != nil {
		t.Errorf("HeadObject modified since earlier: %v", err)
	}
}

func TestListObjectsV2(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.bucket(t, "listing")
	for _, k := range []string{"a.txt", "b/1", "b/2", "c/x/1", "c/y", "d e.txt"} {
		if _, err := e.client.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("listing"), Key: aws.String(k), Body: strings.NewReader(k)}); err != nil {
			t.Fatal(err)
		}
	}
	list := func(in *awss3.ListObjectsV2Input) (keys, prefixes []string, out *awss3.ListObjectsV2Output) {
		t.Helper()
		in.Bucket = aws.String("listing")
		out, err := e.client.ListObjectsV2(ctx, in)
		if err != nil {
			t.Fatalf("ListObjectsV2: %v", err)
		}
		for _, c := range out.Contents {
			keys = append(keys, aws.ToString(c.Key))
		}
		for _, p := range out.CommonPrefixes {
			prefixes = append(prefixes, aws.ToString(p.Prefix))
		}
		return keys, prefixes, out
	}
	keys, prefixes, _ := list(&awss3.ListObjectsV2Input{Delimiter: aws.String("/")})
	if strings.Join(keys, ",") != "a.txt,d e.txt" || strings.Join(prefixes, ",") != "b/,c/" {
		t.Errorf("delimiter /: keys %v prefixes %v", keys, prefixes)
	}
	keys, prefixes, _ = list(&awss3.ListObjectsV2Input{Prefix: aws.String("c/"), Delimiter: aws.String("/")})
	if strings.Join(keys, ",") != "c/y" || strings.Join(prefixes, ",") != "c/x/" {
		t.Errorf("prefix c/: keys %v prefixes %v", keys, prefixes)
	}
	keys, _, _ = list(&awss3.ListObjectsV2Input{StartAfter: aws.String("b/2")})
	if strings.Join(keys, ",") != "c/x/1,c/y,d e.txt" {
		t.Errorf("start-after b/2: %v", keys)
	}
	// Paging two at a time, with a common prefix on a page boundary.
	var all []string
	var token *string
	for pages := 0; ; pages++ {
		keys, prefixes, out := list(&awss3.ListObjectsV2Input{MaxKeys: aws.Int32(2), Delimiter: aws.String("/"), ContinuationToken: token})
		all = append(all, append(keys, prefixes...)...)
		if aws.ToInt32(out.KeyCount) != int32(len(keys)+len(prefixes)) {
			t.Errorf("KeyCount %d for %d entries", aws.ToInt32(out.KeyCount), len(keys)+len(prefixes))
		}
		if !aws.ToBool(out.IsTruncated) {
			break
		}
		if pages > 5 {
			t.Fatal("paging does not end")
		}
		token = out.NextContinuationToken
	}
	if strings.Join(all, ",") != "a.txt,b/,d e.txt,c/" { // each page: keys, then prefixes
		t.Errorf("paged listing = %v", all)
	}
	keys, _, out := list(&awss3.ListObjectsV2Input{Prefix: aws.String("d "), EncodingType: types.EncodingTypeUrl})
	if strings.Join(keys, ",") != "d+e.txt" || aws.ToString(out.Prefix) != "d+" {
		t.Errorf("encoding-type=url: keys %v prefix %q; want d+e.txt and d+", keys, aws.ToString(out.Prefix))
	}
	_, err := e.client.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String("listing"), ContinuationToken: aws.String("!!!")})
	wantCode(t, err, "InvalidArgument")
}

func TestDeleteObjects(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.bucket(t, "deletes")
	for _, k := range []string{"1", "2", "3"} {
		if _, err := e.client.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("deletes"), Key: aws.String(k), Body: strings.NewReader(k)}); err != nil {
			t.Fatal(err)
		}
	}
	out, err := e.client.DeleteObjects(ctx, &awss3.DeleteObjectsInput{Bucket: aws.String("deletes"), Delete: &types.Delete{
		Objects: []types.ObjectIdentifier{{Key: aws.String("1")}, {Key: aws.String("3")}, {Key: aws.String("missing")}}}})
	if err != nil {
		t.Fatalf("DeleteObjects: %v", err)
	}
	if len(out.Deleted) != 3 || len(out.Errors) != 0 {
		t.Errorf("DeleteObjects: %d deleted, %d errors; want 3 and 0", len(out.Deleted), len(out.Errors))
	}
	list, _ := e.client.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String("deletes")})
	if len(list.Contents) != 1 || aws.ToString(list.Contents[0].Key) != "2" {
		t.Errorf("left after DeleteObjects: %+v", list.Contents)
	}
}

func TestMultipartUpload(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.bucket(t, "multipart")
	b, k := aws.String("multipart"), aws.String("big.bin")
	create, err := e.client.CreateMultipartUpload(ctx, &awss3.CreateMultipartUploadInput{Bucket: b, Key: k, ContentType: aws.String("application/x-big"), Metadata: map[string]string{"m": "1"}})
	if err != nil {
		t.Fatalf("CreateMultipartUpload: %v", err)
	}
	part1 := bytes.Repeat([]byte{'a'}, 5<<20)
	part2 := []byte("tail")
	var parts []types.CompletedPart
	var sums []byte
	for i, data := range [][]byte{part1, part2} {
		out, err := e.client.UploadPart(ctx, &awss3.UploadPartInput{Bucket: b, Key: k, UploadId: create.UploadId, PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(data)})
		if err != nil {
			t.Fatalf("UploadPart %d: %v", i+1, err)
		}
		sum := md5.Sum(data)
		sums = append(sums, sum[:]...)
		parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: out.ETag})
	}
	lp, err := e.client.ListParts(ctx, &awss3.ListPartsInput{Bucket: b, Key: k, UploadId: create.UploadId})
	if err != nil || len(lp.Parts) != 2 || aws.ToInt64(lp.Parts[0].Size) != 5<<20 {
		t.Fatalf("ListParts = %+v, %v", lp, err)
	}
	_, err = e.client.CompleteMultipartUpload(ctx, &awss3.CompleteMultipartUploadInput{Bucket: b, Key: k, UploadId: create.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: aws.String(`"bad"`)}, parts[1]}}})
	wantCode(t, err, "InvalidPart")
	_, err = e.client.CompleteMultipartUpload(ctx, &awss3.CompleteMultipartUploadInput{Bucket: b, Key: k, UploadId: create.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{parts[1], parts[0]}}})
	wantCode(t, err, "InvalidPartOrder")

	done, err := e.client.CompleteMultipartUpload(ctx, &awss3.CompleteMultipartUploadInput{Bucket: b, Key: k, UploadId: create.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	if err != nil {
		t.Fatalf("CompleteMultipartUpload: %v", err)
	}
	wantETag := fmt.Sprintf(`"%x-2"`, md5.Sum(sums))
	if aws.ToString(done.ETag) != wantETag {
		t.Errorf("multipart ETag = %s, want %s", aws.ToString(done.ETag), wantETag)
	}
	got, err := e.client.GetObject(ctx, &awss3.GetObjectInput{Bucket: b, Key: k})
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(got.Body)
	got.Body.Close()
	if !bytes.Equal(data, append(append([]byte{}, part1...), part2...)) || aws.ToString(got.ContentType) != "application/x-big" || got.Metadata["m"] != "1" {
		t.Errorf("assembled object: %d bytes, type %q, metadata %v", len(data), aws.ToString(got.ContentType), got.Metadata)
	}
	_, err = e.client.UploadPart(ctx, &awss3.UploadPartInput{Bucket: b, Key: k, UploadId: create.UploadId, PartNumber: aws.Int32(3), Body: bytes.NewReader(part2)})
	wantCode(t, err, "NoSuchUpload")

	small, _ := e.client.CreateMultipartUpload(ctx, &awss3.CreateMultipartUploadInput{Bucket: b, Key: k})
	var smallParts []types.CompletedPart
	for i := 1; i <= 2; i++ {
		out, err := e.client.UploadPart(ctx, &awss3.UploadPartInput{Bucket: b, Key: k, UploadId: small.UploadId, PartNumber: aws.Int32(int32(i)), Body: bytes.NewReader(part2)})
		if err != nil {
			t.Fatal(err)
		}
		smallParts = append(smallParts, types.CompletedPart{PartNumber: aws.Int32(int32(i)), ETag: out.ETag})
	}
	_, err = e.client.CompleteMultipartUpload(ctx, &awss3.CompleteMultipartUploadInput{Bucket: b, Key: k, UploadId: small.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: smallParts}})
	wantCode(t, err, "EntityTooSmall")
	if _, err := e.client.AbortMultipartUpload(ctx, &awss3.AbortMultipartUploadInput{Bucket: b, Key: k, UploadId: small.UploadId}); err != nil {
		t.Fatalf("AbortMultipartUpload: %v", err)
	}
	_, err = e.client.ListParts(ctx, &awss3.ListPartsInput{Bucket: b, Key: k, UploadId: small.UploadId})
	wantCode(t, err, "NoSuchUpload")
}

// TestVirtualHostedAddressing uses an SDK client that puts the bucket in
// the host name (bucket.localhost:port), dialling the test server for any
// host.
func TestVirtualHostedAddressing(t *testing.T) {
	e := newEnv(t)
	addr := strings.TrimPrefix(e.url, "http://")
	_, port, _ := net.SplitHostPort(addr)
	cfg := awstest.Config(t, "http://localhost:"+port)
	var hosts []string
	cfg.HTTPClient = &http.Client{Transport: &hostRecorder{hosts: &hosts, next: &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		},
		TLSClientConfig: &tls.Config{},
	}}}
	client := awss3.NewFromConfig(cfg, func(o *awss3.Options) { o.UsePathStyle = false; o.DisableLogOutputChecksumValidationSkipped = true })
	ctx := context.Background()
	if _, err := client.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String("vhost")}); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	if _, err := client.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("vhost"), Key: aws.String("dir/k"), Body: strings.NewReader("v")}); err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	if hosts[0] != "vhost.localhost:"+port {
		t.Fatalf("request host %q; want the bucket in the host", hosts[0])
	}
	// Path-style reads see the same object.
	got, err := e.client.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("vhost"), Key: aws.String("dir/k")})
	if err != nil {
		t.Fatalf("path-style GetObject: %v", err)
	}
	got.Body.Close()
	// And the other local host form, bucket.s3.localhost.
	req, _ := http.NewRequest(http.MethodGet, e.url+"/dir/k", nil)
	req.Host = "vhost.s3.localhost:" + port
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(body) != "v" {
		t.Errorf("GET via vhost.s3.localhost: %d %q", resp.StatusCode, body)
	}
}

type hostRecorder struct {
	hosts *[]string
	next  http.RoundTripper
}

func (h *hostRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	*h.hosts = append(*h.hosts, r.Host)
	if r.Host == "" {
		*h.hosts = append((*h.hosts)[:len(*h.hosts)-1], r.URL.Host)
	}
	return h.next.RoundTrip(r)
}

func TestBadRequestsGetS3Errors(t *testing.T) {
	e := newEnv(t)
	e.bucket(t, "bad")
	cases := []struct {
		method, path, body string
		header             map[string]string
		status             int
		code               string
	}{
		{"POST", "/bad?delete", "<Delete><Object>", map[string]string{"Content-MD5": md5Base64("<Delete><Object>")}, 400, "MalformedXML"},
		// DeleteObjects needs Content-MD5 or a checksum (S3 API Reference, DeleteObjects).
		{"POST", "/bad?delete", "<Delete><Object><Key>k</Key></Object></Delete>", nil, 400, "InvalidRequest"},
		{"POST", "/bad?delete", "<Delete><Object><Key>k</Key></Object></Delete>", map[string]string{"X-Amz-Checksum-Crc32": "AAAAAA=="}, 400, "BadDigest"},
		// Keys are UTF-8; S3 answers a path that is not with InvalidURI.
		{"PUT", "/bad/h%FF", "x", nil, 400, "InvalidURI"},
		{"GET", "/bad/h%FF", "", nil, 400, "InvalidURI"},
		// User metadata is at most 2 KB, names and values counted.
		{"PUT", "/bad/k", "x", map[string]string{"X-Amz-Meta-Big": strings.Repeat("v", 2048-len("big")+1)}, 400, "MetadataTooLarge"},
		{"POST", "/bad/k?uploads", "", map[string]string{"X-Amz-Meta-Big": strings.Repeat("v", 2048)}, 400, "MetadataTooLarge"},
		{"PUT", "/bad?versioning", "<VersioningConfiguration><Status>Maybe</Status></VersioningConfiguration>", nil, 400, "MalformedXML"},
		{"PUT", "/bad/k", "abc", map[string]string{"Content-MD5": "nope"}, 400, "InvalidDigest"},
		{"PUT", "/bad/k", "abc", map[string]string{"Content-MD5": "AAAAAAAAAAAAAAAAAAAAAA=="}, 400, "BadDigest"},
		{"PUT", "/bad/k", "abc", map[string]string{"X-Amz-Checksum-Crc32": "AAAAAA=="}, 400, "BadDigest"},
		{"PUT", "/bad/k", "zz\r\nabc", map[string]string{"X-Amz-Content-Sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "Content-Encoding": "aws-chunked"}, 400, "IncompleteBody"},
		{"PUT", "/bad/k", "", map[string]string{"X-Amz-Copy-Source": "nobucketnokey"}, 400, "InvalidArgument"},
		{"PUT", "/bad/k", "", map[string]string{"X-Amz-Copy-Source": "bad/k", "X-Amz-Metadata-Directive": "MERGE"}, 400, "InvalidArgument"},
		{"GET", "/bad?max-keys=x&list-type=2", "", nil, 400, "InvalidArgument"},
		{"GET", "/bad?tagging", "", nil, 501, "NotImplemented"},
		{"POST", "/bad/k", "", nil, 405, "MethodNotAllowed"},
		{"PUT", "/bad/k?partNumber=1&uploadId=nope", "x", nil, 404, "NoSuchUpload"},
		{"GET", "/nobucket/k", "", nil, 404, "NoSuchBucket"},
	}
	for _, c := range cases {
		req, _ := http.NewRequest(c.method, e.url+c.path, strings.NewReader(c.body))
		for k, v := range c.header {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.status || !strings.Contains(string(body), "<Code>"+c.code+"</Code>") {
			t.Errorf("%s %s: %d %s; want %d %s", c.method, c.path, resp.StatusCode, body, c.status, c.code)
		}
	}
	req, _ := http.NewRequest(http.MethodPut, e.url+"/bad/k", strings.NewReader("x"))
	req.Header.Set("X-Amz-Meta-Big", strings.Repeat("v", 2048-len("big")))
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("PUT with exactly 2 KB of user metadata: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	req, _ = http.NewRequest(http.MethodHead, e.url+"/bad/missing", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound || len(body) != 0 {
		t.Errorf("HEAD of a missing key: %d with %d body bytes; want 404 and no body", resp.StatusCode, len(body))
	}
}

func md5Base64(s string) string {
	sum := md5.Sum([]byte(s))
	return base64.StdEncoding.EncodeToString(sum[:])
}
