package s3

import (
	"sort"
	"time"
)

// Object is one stored object. It is an immutable value: a write replaces
// the whole Object, so readers may keep and serve one (and slices of its
// Data) without holding the service lock.
type Object struct {
	Key          string
	Data         []byte
	ETag         string // quoted, as S3 sends it in the ETag header
	LastModified time.Time
	// Metadata is the user metadata, the x-amz-meta-* headers with the
	// prefix removed and the name lowercased, as S3 keeps it.
	Metadata map[string]string
	// System holds the HTTP headers S3 stores with an object
	// (Content-Type, Cache-Control, …), by canonical header name.
	System       map[string]string
	StorageClass string
	// Checksums maps an algorithm (CRC32, CRC32C, CRC64NVME, SHA1,
	// SHA256) to the base64 checksum the client sent and S3 verified.
	Checksums map[string]string
	// VersionID is set when the bucket has versioning enabled.
	VersionID  string
	PartsCount int
}

// Size is the object's length in bytes.
func (o *Object) Size() int64 { return int64(len(o.Data)) }

// Bucket is a bucket and its configuration. The service owns it and
// changes it only with its lock held.
type Bucket struct {
	Name         string
	CreationDate time.Time
	Notification NotificationConfiguration
	Policy       string // JSON, empty when none
	Encryption   *EncryptionConfiguration
	PublicAccess *PublicAccessBlockConfiguration
	Versioning   string // "", "Enabled" or "Suspended"
	// Logging is where the bucket's server access logs go; nil: nowhere.
	Logging *LoggingEnabled
	// Lifecycle is the AWS::S3::Bucket LifecycleConfiguration property,
	// stored as given; it is not applied.
	Lifecycle any

	sequence uint64 // last event sequencer issued
}

// Backend stores buckets and objects. The service calls it only with its
// lock held, so an implementation needs no locking of its own.
//
// An implementation MUST return the same *Bucket it was given until the
// bucket is deleted, MUST treat stored *Object values (and their Data) as
// immutable, and MUST list keys in ascending byte order. It MAY keep data
// anywhere, as long as Object returns it as a []byte.
type Backend interface {
	// Bucket returns the named bucket, or nil.
	Bucket(name string) *Bucket
	// Buckets returns every bucket, ordered by name.
	Buckets() []*Bucket
	// PutBucket adds a bucket; the caller has checked it does not exist.
	PutBucket(b *Bucket)
	// DeleteBucket removes a bucket and anything left in it.
	DeleteBucket(name string)
	// Object returns an object of an existing bucket, or nil.
	Object(bucket, key string) *Object
	// PutObject stores o in an existing bucket, replacing any object
	// with the same key.
	PutObject(bucket string, o *Object)
	// DeleteObject removes an object and reports whether it existed.
	DeleteObject(bucket, key string) bool
	// Keys returns the keys of a bucket in ascending order. The caller
	// MUST NOT modify the slice; it is valid until the next write.
	Keys(bucket string) []string
}

// memoryBackend is the default Backend: maps in memory.
type memoryBackend struct {
	buckets map[string]*memoryBucket
}

type memoryBucket struct {
	bucket  *Bucket
	objects map[string]*Object
	keys    []string // sorted; nil when stale
}

var _ Backend = (*memoryBackend)(nil)

// NewMemoryBackend returns an empty in-memory backend.
func NewMemoryBackend() Backend {
	return &memoryBackend{buckets: map[string]*memoryBucket{}}
}

func (m *memoryBackend) Bucket(name string) *Bucket {
	if b := m.buckets[name]; b != nil {
		return b.bucket
	}
	return nil
}

func (m *memoryBackend) Buckets() []*Bucket {
	out := make([]*Bucket, 0, len(m.buckets))
	for _, b := range m.buckets {
		out = append(out, b.bucket)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func (m *memoryBackend) PutBucket(b *Bucket) {
	m.buckets[b.Name] = &memoryBucket{bucket: b, objects: map[string]*Object{}}
}

func (m *memoryBackend) DeleteBucket(name string) { delete(m.buckets, name) }

func (m *memoryBackend) Object(bucket, key string) *Object {
	if b := m.buckets[bucket]; b != nil {
		return b.objects[key]
	}
	return nil
}

func (m *memoryBackend) PutObject(bucket string, o *Object) {
	b := m.buckets[bucket]
	if _, exists := b.objects[o.Key]; !exists {
		b.keys = nil
	}
	b.objects[o.Key] = o
}

func (m *memoryBackend) DeleteObject(bucket, key string) bool {
	b := m.buckets[bucket]
	if b == nil {
		return false
	}
	if _, ok := b.objects[key]; !ok {
		return false
	}
	delete(b.objects, key)
	b.keys = nil
	return true
}

func (m *memoryBackend) Keys(bucket string) []string {
	b := m.buckets[bucket]
	if b == nil {
		return nil
	}
	if b.keys == nil {
		b.keys = make([]string, 0, len(b.objects))
		for k := range b.objects {
			b.keys = append(b.keys, k)
		}
		sort.Strings(b.keys)
	}
	return b.keys
}
