package imagesize

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"testing"
)

func encoded(t testing.TB, format string, w, h int) []byte {
	t.Helper()
	img := image.NewPaletted(image.Rect(0, 0, w, h), color.Palette{color.Black, color.White})
	var buf bytes.Buffer
	var err error
	switch format {
	case PNG:
		err = png.Encode(&buf, img)
	case JPEG:
		err = jpeg.Encode(&buf, img, nil)
	case GIF:
		err = gif.Encode(&buf, img, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// webp builds the first bytes of a RIFF WEBP file with the given chunk.
func webp(chunk string, payload []byte) []byte {
	b := []byte("RIFF\x00\x00\x00\x00WEBP" + chunk + "\x00\x00\x00\x00")
	binary.LittleEndian.PutUint32(b[4:8], uint32(4+8+len(payload)))
	binary.LittleEndian.PutUint32(b[16:20], uint32(len(payload)))
	return append(b, payload...)
}

func vp8(w, h uint16) []byte {
	p := []byte{0x50, 0x01, 0x00, 0x9D, 0x01, 0x2A, 0, 0, 0, 0}
	binary.LittleEndian.PutUint16(p[6:8], w)
	binary.LittleEndian.PutUint16(p[8:10], h)
	return webp("VP8 ", p)
}

func vp8l(w, h uint32) []byte {
	p := []byte{0x2F, 0, 0, 0, 0}
	binary.LittleEndian.PutUint32(p[1:5], (w-1)|(h-1)<<14)
	return webp("VP8L", p)
}

func vp8x(w, h uint32) []byte {
	p := make([]byte, 10)
	p[4], p[5], p[6] = byte(w-1), byte((w-1)>>8), byte((w-1)>>16)
	p[7], p[8], p[9] = byte(h-1), byte((h-1)>>8), byte((h-1)>>16)
	return webp("VP8X", p)
}

func TestDecodeKnownFormats(t *testing.T) {
	cases := []struct {
		name string
		data []byte
		want Info
	}{
		{"png", encoded(t, PNG, 172, 178), Info{PNG, 172, 178}},
		{"jpeg", encoded(t, JPEG, 31, 17), Info{JPEG, 31, 17}},
		{"gif", encoded(t, GIF, 300, 2), Info{GIF, 300, 2}},
		{"webp lossy", vp8(640, 480), Info{WebP, 640, 480}},
		{"webp lossless", vp8l(16383, 1), Info{WebP, 16383, 1}},
		{"webp extended", vp8x(70000, 3), Info{WebP, 70000, 3}},
		{"jpeg with APP segments and fill bytes", jpegWithApp(t, 60000), Info{JPEG, 8, 9}},
		{"jpeg with stray bytes before a marker", jpegWithStrayBytes(t), Info{JPEG, 12, 5}},
	}
	for _, c := range cases {
		got, err := Decode(bytes.NewReader(c.data))
		if err != nil || got != c.want {
			t.Errorf("%s: Decode = %+v, %v; want %+v", c.name, got, err, c.want)
		}
	}
}

// jpegWithStrayBytes is a JPEG with bytes that are neither a marker nor
// fill between SOI and the next marker, as some writers leave them; Go's
// image/jpeg (like libjpeg) reads past them, so Decode must too.
func jpegWithStrayBytes(t *testing.T) []byte {
	t.Helper()
	src := encoded(t, JPEG, 12, 5)
	b := append(append(append([]byte{}, src[:2]...), 0x00, 0x13, 0x37), src[2:]...)
	if cfg, err := jpeg.DecodeConfig(bytes.NewReader(b)); err != nil || cfg.Width != 12 || cfg.Height != 5 {
		t.Fatalf("image/jpeg reads the stray-byte JPEG as %+v, %v", cfg, err)
	}
	return b
}

// jpegWithApp is a JPEG whose frame header follows an APP1 segment of
// appBytes, with fill bytes before the SOF marker.
func jpegWithApp(t *testing.T, appBytes int) []byte {
	t.Helper()
	src := encoded(t, JPEG, 8, 9)
	var b bytes.Buffer
	b.Write(src[:2])
	for appBytes > 0 {
		n := min(appBytes, 65533)
		b.Write([]byte{0xFF, 0xE1, byte((n + 2) >> 8), byte(n + 2)})
		b.Write(make([]byte, n))
		appBytes -= n
	}
	b.Write([]byte{0xFF, 0xFF})
	b.Write(src[2:])
	return b.Bytes()
}

func TestDecodeRejects(t *testing.T) {
	pngData := encoded(t, PNG, 172, 178)
	absurd := append([]byte(nil), pngData...)
	binary.BigEndian.PutUint32(absurd[16:20], 200_000)
	manyPixels := append([]byte(nil), pngData...)
	binary.BigEndian.PutUint32(manyPixels[16:20], 50_000)
	binary.BigEndian.PutUint32(manyPixels[20:24], 50_000)
	zero := encoded(t, GIF, 5, 5)
	zero[6], zero[7] = 0, 0
	notIHDR := append([]byte(nil), pngData...)
	copy(notIHDR[12:16], "IDAT")

	cases := []struct {
		name string
		data []byte
		want error
	}{
		{"text", []byte("hello, this is not an image at all"), ErrUnknownFormat},
		{"empty", nil, ErrUnknownFormat},
		{"png signature only", pngData[:8], ErrTruncated},
		{"png cut in IHDR", pngData[:20], ErrTruncated},
		{"three bytes of png", pngData[:3], ErrTruncated},
		{"png first chunk not IHDR", notIHDR, ErrCorrupt},
		{"jpeg cut before SOF", encoded(t, JPEG, 4, 4)[:20], ErrTruncated},
		{"jpeg SOF beyond 64 KiB", jpegWithApp(t, 70000), ErrHeaderTooLarge},
		{"jpeg garbage after SOI, then the end", []byte{0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0, 0, 0x12}, ErrTruncated},
		{"jpeg segment length under 2", []byte{0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x01, 0xFF, 0xC0}, ErrCorrupt},
		{"gif cut", []byte("GIF89a\x01"), ErrTruncated},
		{"webp cut", vp8(4, 4)[:25], ErrTruncated},
		{"webp unknown chunk", webp("ALPH", make([]byte, 10)), ErrCorrupt},
	}
	for _, c := range cases {
		_, err := Decode(bytes.NewReader(c.data))
		if !errors.Is(err, c.want) {
			t.Errorf("%s: error %v, want %v", c.name, err, c.want)
		}
	}
	for name, data := range map[string][]byte{"side over bound": absurd, "pixels over bound": manyPixels, "zero width": zero} {
		var de *DimensionsError
		if _, err := Decode(bytes.NewReader(data)); !errors.As(err, &de) {
			t.Errorf("%s: error %v, want *DimensionsError", name, err)
		}
	}
}

// countingReader serves prefix then zeros up to size, lazily, counting the
// bytes handed out.
type countingReader struct {
	prefix []byte
	size   int64
	off    int64
}

func (r *countingReader) Read(p []byte) (int, error) {
	if r.off >= r.size {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), r.size-r.off)]
	n := 0
	if r.off < int64(len(r.prefix)) {
		n = copy(p, r.prefix[r.off:])
	}
	clear(p[n:])
	r.off += int64(len(p))
	return len(p), nil
}

func TestDecodeReadsAtMostTheHeader(t *testing.T) {
	r := &countingReader{prefix: encoded(t, PNG, 172, 178), size: 100 << 20}
	if _, err := Decode(r); err != nil {
		t.Fatal(err)
	}
	if r.off > MaxHeaderBytes {
		t.Fatalf("read %d bytes of a 100 MB object, want at most %d", r.off, MaxHeaderBytes)
	}
}

func TestDecodeReportsReadErrors(t *testing.T) {
	boom := errors.New("connection reset")
	if _, err := Decode(io.MultiReader(bytes.NewReader([]byte{0x89}), errReader{boom})); !errors.Is(err, boom) {
		t.Fatalf("error %v, want %v", err, boom)
	}
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// BenchmarkDecodeHeaderOf100MB sizes a 100 MB PNG served lazily; it reports
// the bytes read per call.
func BenchmarkDecodeHeaderOf100MB(b *testing.B) {
	prefix := encoded(b, PNG, 172, 178)
	var read int64
	b.ReportAllocs()
	for b.Loop() {
		r := &countingReader{prefix: prefix, size: 100 << 20}
		if _, err := Decode(r); err != nil {
			b.Fatal(err)
		}
		read = r.off
	}
	b.ReportMetric(float64(read), "bytes-read/op")
}
