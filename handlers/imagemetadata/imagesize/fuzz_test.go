package imagesize

import (
	"bytes"
	"errors"
	"image"
	"testing"
)

// minHeader is the fewest bytes from which an image's dimensions can be
// read: PNG's signature and IHDR up to the height, GIF's logical screen
// descriptor up to the height, a JPEG SOI then a SOFn marker, its length,
// precision, height and width, and a RIFF header with the first WebP
// chunk's fields up to the height (VP8L packs both in 4 bytes after its
// signature byte; VP8 and VP8X put them 10 bytes into the chunk).
func minHeader(b []byte, format string) int {
	switch format {
	case PNG:
		return 24
	case GIF:
		return 10
	case JPEG:
		return 2 + 2 + 7
	case WebP:
		if string(b[12:16]) == "VP8L" {
			return 25
		}
		return 30
	}
	return len(b) + 1
}

// FuzzParse checks, for any bytes: Parse never panics; it fails only with
// its documented errors; dimensions it reports are in bounds and read
// from at least the format's header; bytes after a parsed header change
// nothing, and a shorter prefix of it reads as truncated, never as
// other dimensions; where the standard library's decoders read a PNG,
// GIF or JPEG configuration, Parse reads the same dimensions.
func FuzzParse(f *testing.F) {
	for _, format := range []string{PNG, GIF, JPEG} {
		for _, wh := range [][2]int{{1, 1}, {3, 2}, {300, 20}} {
			f.Add(encoded(f, format, wh[0], wh[1]))
		}
	}
	f.Add(vp8(640, 480))
	f.Add(vp8l(1, 16384))
	f.Add(vp8x(100_000, 2))
	f.Add([]byte{0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x02, 0xFF, 0xFF, 0xC0, 0x00, 0x08, 0x08, 0x00, 0x10, 0x00, 0x20, 0x01})
	f.Add([]byte("\x89PNG\r\n\x1a\n"))
	f.Add([]byte("GIF89a\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		info, err := Parse(b, false)
		checkOutcome(t, b, info, err)
		if err == nil {
			checkHeaderBound(t, b, info)
		}
		if len(b) <= 4<<10 {
			checkStdlibAgrees(t, b, info, err)
		}
	})
}

func checkOutcome(t *testing.T, b []byte, info Info, err error) {
	t.Helper()
	if err != nil {
		var de *DimensionsError
		for _, known := range []error{ErrUnknownFormat, ErrTruncated, ErrCorrupt} {
			if errors.Is(err, known) {
				return
			}
		}
		if !errors.As(err, &de) {
			t.Fatalf("Parse(%x) error %v is none of the documented ones", b, err)
		}
		return
	}
	if info.Width < 1 || info.Height < 1 || info.Width > MaxSide || info.Height > MaxSide || info.Width*info.Height > MaxPixels {
		t.Fatalf("Parse(%x) = %+v, out of bounds", b, info)
	}
	if n := minHeader(b, info.Format); len(b) < n {
		t.Fatalf("Parse(%x) = %+v from %d bytes, fewer than the format's %d header bytes", b, info, len(b), n)
	}
}

// checkHeaderBound checks that what Parse read from b does not depend on
// bytes past the header it used: more bytes leave it unchanged, and every
// shorter prefix is either still enough or reads as truncated (or, when the
// caller says the data continues, as a header beyond its limit).
func checkHeaderBound(t *testing.T, b []byte, info Info) {
	t.Helper()
	for _, tail := range [][]byte{{0x00}, {0xFF, 0xD9}, bytes.Repeat([]byte{0xAB}, 64)} {
		if got, err := Parse(append(b[:len(b):len(b)], tail...), false); err != nil || got != info {
			t.Fatalf("Parse(%x) = %+v but with %x appended = %+v, %v", b, info, tail, got, err)
		}
	}
	if len(b) > 4<<10 {
		return
	}
	for n := 1; n < len(b); n++ {
		got, err := Parse(b[:n], false)
		if err == nil && got != info {
			t.Fatalf("Parse(%x) = %+v but its %d-byte prefix reads as %+v", b, info, n, got)
		}
		if err != nil && !errors.Is(err, ErrTruncated) {
			t.Fatalf("Parse(%x) = %+v but its %d-byte prefix fails with %v, not as truncated", b, info, n, err)
		}
		if _, err := Parse(b[:n], true); err != nil && !errors.Is(err, ErrTruncated) && !errors.Is(err, ErrHeaderTooLarge) {
			t.Fatalf("Parse(%x) = %+v but its %d-byte prefix, said to continue, fails with %v", b, info, n, err)
		}
	}
}

// checkStdlibAgrees compares Parse with image.DecodeConfig (PNG, GIF and
// JPEG are registered by the encoders the tests import): what the
// standard library reads within Parse's bounds, Parse reads the same.
// Go's JPEG decoder, like libjpeg, also skips extraneous bytes before a
// marker, which Parse deliberately rejects as malformed; for JPEG the two
// must agree only when both read dimensions.
func checkStdlibAgrees(t *testing.T, b []byte, info Info, err error) {
	t.Helper()
	cfg, format, stdErr := image.DecodeConfig(bytes.NewReader(b))
	if stdErr != nil || cfg.Width < 1 || cfg.Height < 1 || cfg.Width > MaxSide || cfg.Height > MaxSide || cfg.Width*cfg.Height > MaxPixels {
		return
	}
	if err != nil {
		t.Fatalf("Parse(%x): %v, but image.DecodeConfig reads a %s of %d×%d", b, err, format, cfg.Width, cfg.Height)
	}
	if info.Format != format || info.Width != cfg.Width || info.Height != cfg.Height {
		t.Fatalf("Parse(%x) = %+v, but image.DecodeConfig reads a %s of %d×%d", b, info, format, cfg.Width, cfg.Height)
	}
}
