package schemas

import (
	"strings"
	"testing"
)

func TestS3EventKeyIsTheRawKey(t *testing.T) {
	for _, key := range []string{"example-key", "red flower.jpg", "test+b.png", "%2B++ %20.mp3", "uploads/fotos/größe 1.png", "日本/画像.png"} {
		if got := EncodeS3EventKey(key); got != key {
			t.Errorf("EncodeS3EventKey(%q) = %q, want the key unchanged", key, got)
		}
		got, err := DecodeS3EventKey(key)
		if err != nil || got != key {
			t.Errorf("DecodeS3EventKey(%q) = %q, %v; want the key unchanged", key, got, err)
		}
	}
	for _, bad := range []string{"", "\xff\xfe", strings.Repeat("k", 1025)} {
		if _, err := DecodeS3EventKey(bad); err == nil {
			t.Errorf("DecodeS3EventKey(%q) succeeded, want an error", bad)
		}
	}
}

func TestS3NotificationKeyIsFormEncoded(t *testing.T) {
	cases := map[string]string{
		"red flower.jpg":          "red+flower.jpg", // the S3 User Guide's example
		"a+b/c:d.png":             "a%2Bb/c%3Ad.png",
		"uploads/größe.png":       "uploads/gr%C3%B6%C3%9Fe.png",
		"test/10:47:07.log.bz2":   "test/10%3A47%3A07.log.bz2",
		"photos/2024/beach 1.jpg": "photos/2024/beach+1.jpg",
	}
	for key, encoded := range cases {
		if got := EncodeS3NotificationKey(key); got != encoded {
			t.Errorf("EncodeS3NotificationKey(%q) = %q, want %q", key, got, encoded)
		}
		got, err := DecodeS3NotificationKey(encoded)
		if err != nil || got != key {
			t.Errorf("DecodeS3NotificationKey(%q) = %q, %v; want %q", encoded, got, err, key)
		}
	}
	if _, err := DecodeS3NotificationKey("bad%zzescape"); err == nil {
		t.Error("DecodeS3NotificationKey accepted a broken escape")
	}
}
