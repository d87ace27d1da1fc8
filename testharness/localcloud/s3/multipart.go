package s3

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
)

// minPartSize is the least size of every part but the last (5 MiB).
const minPartSize = 5 << 20

// upload is a multipart upload in progress.
type upload struct {
	id, bucket, key string
	metadata        map[string]string
	system          map[string]string
	storageClass    string
	initiated       time.Time
	parts           map[int]*part
}

type part struct {
	number       int
	data         []byte
	etag         string // quoted
	lastModified time.Time
}

// findUpload returns the upload id of bucket/key. Must hold s.mu.
func (s *Service) findUpload(r *request) (*upload, error) {
	id := r.query.Get("uploadId")
	u := s.uploads[id]
	if u == nil || u.bucket != r.bucket || u.key != r.key {
		return nil, errNoSuchUpload(id)
	}
	return u, nil
}

type initiateResult struct {
	XMLName  xml.Name `xml:"InitiateMultipartUploadResult"`
	Xmlns    string   `xml:"xmlns,attr"`
	Bucket   string   `xml:"Bucket"`
	Key      string   `xml:"Key"`
	UploadID string   `xml:"UploadId"`
}

func (s *Service) handleCreateMultipartUpload(r *request) (*response, error) {
	user, system, err := metadataFromHeaders(r.Header)
	if err != nil {
		return nil, err
	}
	u := &upload{id: newVersionID(), bucket: r.bucket, key: r.key, metadata: user, system: system,
		storageClass: r.Header.Get("X-Amz-Storage-Class"), parts: map[int]*part{}}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.bucket(r.bucket); err != nil {
		return nil, err
	}
	u.initiated = s.clock.Now().UTC()
	s.uploads[u.id] = u
	return &response{xml: initiateResult{Xmlns: xmlns, Bucket: r.bucket, Key: r.key, UploadID: u.id}}, nil
}

func (s *Service) handleUploadPart(r *request) (*response, error) {
	if r.Header.Get("X-Amz-Copy-Source") != "" {
		return nil, errNotImplemented("x-amz-copy-source (UploadPartCopy)")
	}
	v := r.query.Get("partNumber")
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 10000 {
		return nil, errInvalidArgument("partNumber", v, "Part number must be an integer between 1 and 10000, inclusive")
	}
	s.mu.Lock()
	_, err = s.findUpload(r)
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	data, checksums, err := readPayload(r)
	if err != nil {
		return nil, err
	}
	p := &part{number: n, data: data, etag: `"` + md5Hex(data) + `"`}
	s.mu.Lock()
	u, err := s.findUpload(r) // it may have been completed or aborted meanwhile
	if err == nil {
		p.lastModified = s.clock.Now().UTC().Truncate(time.Second)
		u.parts[n] = p
	}
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	h := http.Header{"Etag": {p.etag}}
	for alg, v := range checksums {
		h.Set("X-Amz-Checksum-"+alg, v)
	}
	return &response{header: h}, nil
}

type completeRequest struct {
	XMLName xml.Name `xml:"CompleteMultipartUpload"`
	Parts   []struct {
		PartNumber int    `xml:"PartNumber"`
		ETag       string `xml:"ETag"`
	} `xml:"Part"`
}

type completeResult struct {
	XMLName  xml.Name `xml:"CompleteMultipartUploadResult"`
	Xmlns    string   `xml:"xmlns,attr"`
	Location string   `xml:"Location"`
	Bucket   string   `xml:"Bucket"`
	Key      string   `xml:"Key"`
	ETag     string   `xml:"ETag"`
}

// handleCompleteMultipartUpload joins the listed parts into the object.
// Its ETag is S3's multipart ETag: the MD5 of the parts' binary MD5s,
// then "-" and the number of parts.
func (s *Service) handleCompleteMultipartUpload(r *request) (*response, error) {
	cond, err := writeConditionFromHeaders(r.Header)
	if err != nil {
		return nil, err
	}
	var req completeRequest
	if err := readXMLBody(r, &req); err != nil {
		return nil, err
	}
	if len(req.Parts) == 0 {
		return nil, errMalformedXML
	}
	var (
		chosen []*part
		total  int64
	)
	for i := 1; i < len(req.Parts); i++ {
		if req.Parts[i].PartNumber <= req.Parts[i-1].PartNumber {
			return nil, errInvalidPartOrder
		}
	}
	s.mu.Lock()
	u, err := s.findUpload(r)
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	// A failed precondition leaves the upload in place; store checks
	// again when it writes.
	if err := cond.check(u.key, s.backend.Object(u.bucket, u.key)); err != nil {
		s.mu.Unlock()
		return nil, err
	}
	for i, p := range req.Parts {
		got := u.parts[p.PartNumber]
		if got == nil || unquote(got.etag) != unquote(p.ETag) {
			s.mu.Unlock()
			return nil, errInvalidPart(u.id, p.PartNumber, p.ETag)
		}
		if i < len(req.Parts)-1 && len(got.data) < minPartSize {
			s.mu.Unlock()
			return nil, errEntityTooSmall(int64(len(got.data)))
		}
		chosen = append(chosen, got)
		total += int64(len(got.data))
	}
	delete(s.uploads, u.id)
	s.mu.Unlock()

	data := make([]byte, 0, total)
	digests := md5.New()
	for _, p := range chosen {
		data = append(data, p.data...)
		sum, err := hex.DecodeString(unquote(p.etag))
		if err != nil {
			return nil, awsproto.InternalError(fmt.Errorf("part %d etag %s: %w", p.number, p.etag, err))
		}
		digests.Write(sum)
	}
	o := &Object{Key: u.key, Data: data, Metadata: u.metadata, System: u.system, StorageClass: u.storageClass,
		ETag: fmt.Sprintf(`"%x-%d"`, digests.Sum(nil), len(chosen)), PartsCount: len(chosen)}
	o, err = s.store(r.ctx, u.bucket, o, ReasonCompleteMultipartUpload, cond)
	if err != nil {
		return nil, err
	}
	h := http.Header{}
	setVersion(h, o)
	return &response{header: h, xml: completeResult{Xmlns: xmlns, Location: "/" + u.bucket + "/" + u.key,
		Bucket: u.bucket, Key: u.key, ETag: o.ETag}}, nil
}

func (s *Service) handleAbortMultipartUpload(r *request) (*response, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, err := s.findUpload(r)
	if err != nil {
		return nil, err
	}
	delete(s.uploads, u.id)
	return &response{status: http.StatusNoContent}, nil
}

type listPartsResult struct {
	XMLName      xml.Name    `xml:"ListPartsResult"`
	Xmlns        string      `xml:"xmlns,attr"`
	Bucket       string      `xml:"Bucket"`
	Key          string      `xml:"Key"`
	UploadID     string      `xml:"UploadId"`
	StorageClass string      `xml:"StorageClass"`
	MaxParts     int         `xml:"MaxParts"`
	IsTruncated  bool        `xml:"IsTruncated"`
	Initiator    owner       `xml:"Initiator"`
	Owner        owner       `xml:"Owner"`
	Parts        []partEntry `xml:"Part"`
}

type partEntry struct {
	PartNumber   int    `xml:"PartNumber"`
	LastModified string `xml:"LastModified"`
	ETag         string `xml:"ETag"`
	Size         int64  `xml:"Size"`
}

// handleListParts lists every part in one page (up to 10,000 parts).
func (s *Service) handleListParts(r *request) (*response, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, err := s.findUpload(r)
	if err != nil {
		return nil, err
	}
	out := listPartsResult{Xmlns: xmlns, Bucket: u.bucket, Key: u.key, UploadID: u.id, StorageClass: "STANDARD",
		MaxParts: 10000, Initiator: ownerOf(r.ctx), Owner: ownerOf(r.ctx)}
	for _, p := range u.parts {
		out.Parts = append(out.Parts, partEntry{PartNumber: p.number, LastModified: p.lastModified.Format(timeFormatISO),
			ETag: p.etag, Size: int64(len(p.data))})
	}
	sort.Slice(out.Parts, func(i, j int) bool { return out.Parts[i].PartNumber < out.Parts[j].PartNumber })
	return &response{xml: out}, nil
}
