// Package imagesize reads the pixel dimensions of PNG, JPEG, GIF and WebP
// images from their header alone. It never reads more than MaxHeaderBytes,
// so sizing a 100 MB object costs the same as sizing a 1 KB one, and it
// rejects dimensions no real upload has (see MaxSide and MaxPixels) so a
// crafted header cannot make a caller plan for a gigapixel image.
package imagesize

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// MaxHeaderBytes is the most Decode reads: callers fetch exactly this range
// (bytes=0-65535). A JPEG whose frame header (SOFn) sits beyond it, behind
// very large APP segments, is reported as ErrHeaderTooLarge.
const MaxHeaderBytes = 64 << 10

// Bounds beyond which dimensions are treated as absurd.
const (
	MaxSide   = 100_000       // pixels per side
	MaxPixels = 1_000_000_000 // width × height
)

// Formats reported in Info.Format.
const (
	PNG  = "png"
	JPEG = "jpeg"
	GIF  = "gif"
	WebP = "webp"
)

// Info is what Decode learns from a header.
type Info struct {
	Format string
	Width  int
	Height int
}

var (
	// ErrUnknownFormat: the data starts with no signature Decode knows.
	ErrUnknownFormat = errors.New("imagesize: not a PNG, JPEG, GIF or WebP image")
	// ErrTruncated: the data ends inside the header.
	ErrTruncated = errors.New("imagesize: image header is truncated")
	// ErrCorrupt: the signature is right but the header is malformed.
	ErrCorrupt = errors.New("imagesize: image header is malformed")
	// ErrHeaderTooLarge: no dimensions within the first MaxHeaderBytes.
	ErrHeaderTooLarge = errors.New("imagesize: image dimensions not within the first 64 KiB")
)

// DimensionsError reports dimensions that are zero or beyond MaxSide or
// MaxPixels.
type DimensionsError struct {
	Format        string
	Width, Height uint64
}

func (e *DimensionsError) Error() string {
	return fmt.Sprintf("imagesize: %s dimensions %d×%d are out of bounds (1..%d per side, at most %d pixels)",
		e.Format, e.Width, e.Height, MaxSide, MaxPixels)
}

// Decode reads at most MaxHeaderBytes from r and returns the image's format
// and dimensions. Errors are ErrUnknownFormat, ErrTruncated, ErrCorrupt,
// ErrHeaderTooLarge (each wrapped with the format), a *DimensionsError, or
// a read error from r.
func Decode(r io.Reader) (Info, error) {
	var buf [MaxHeaderBytes]byte
	n, err := io.ReadFull(r, buf[:])
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return Info{}, fmt.Errorf("imagesize: read header: %w", err)
	}
	return Parse(buf[:n], n == MaxHeaderBytes)
}

// Parse sizes the image whose first bytes are b. more says whether the data
// continues past b, which tells a header cut short by the caller's limit
// (ErrHeaderTooLarge) from one cut short by the end of the data
// (ErrTruncated).
func Parse(b []byte, more bool) (Info, error) {
	var (
		info Info
		w, h uint64
		err  error
	)
	switch {
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		info.Format = PNG
		w, h, err = pngSize(b)
	case bytes.HasPrefix(b, []byte{0xFF, 0xD8}): // SOI; image/jpeg registers the same magic
		info.Format = JPEG
		w, h, err = jpegSize(b, more)
	case bytes.HasPrefix(b, []byte("GIF87a")), bytes.HasPrefix(b, []byte("GIF89a")):
		info.Format = GIF
		w, h, err = gifSize(b)
	case len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		info.Format = WebP
		w, h, err = webpSize(b)
	default:
		if len(b) < 12 && couldBeSignature(b) {
			return Info{}, ErrTruncated
		}
		return Info{}, ErrUnknownFormat
	}
	if err != nil {
		return Info{}, fmt.Errorf("%s: %w", info.Format, err)
	}
	if w == 0 || h == 0 || w > MaxSide || h > MaxSide || w*h > MaxPixels {
		return Info{}, &DimensionsError{Format: info.Format, Width: w, Height: h}
	}
	info.Width, info.Height = int(w), int(h)
	return info, nil
}

// couldBeSignature reports whether a short prefix is the start of a known
// signature, so that a 3-byte PNG reads as truncated, not as "not an image".
func couldBeSignature(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, sig := range []string{"\x89PNG\r\n\x1a\n", "\xFF\xD8\xFF", "GIF87a", "GIF89a", "RIFF"} {
		n := min(len(b), len(sig))
		if string(b[:n]) == sig[:n] {
			return true
		}
	}
	return false
}

// pngSize reads IHDR, which the PNG specification requires to be the first
// chunk: length (13), "IHDR", width and height as big-endian uint32.
func pngSize(b []byte) (uint64, uint64, error) {
	if len(b) < 24 {
		return 0, 0, ErrTruncated
	}
	if string(b[12:16]) != "IHDR" {
		return 0, 0, fmt.Errorf("%w: first chunk is %q, not IHDR", ErrCorrupt, b[12:16])
	}
	return uint64(binary.BigEndian.Uint32(b[16:20])), uint64(binary.BigEndian.Uint32(b[20:24])), nil
}

// gifSize reads the logical screen descriptor after the 6-byte signature.
func gifSize(b []byte) (uint64, uint64, error) {
	if len(b) < 10 {
		return 0, 0, ErrTruncated
	}
	return uint64(binary.LittleEndian.Uint16(b[6:8])), uint64(binary.LittleEndian.Uint16(b[8:10])), nil
}

// jpegSize walks the marker segments after SOI until a start-of-frame
// marker (SOF0–SOF15 except DHT C4, JPG C8 and DAC CC), whose payload is
// precision (1 byte), height and width (big-endian uint16).
func jpegSize(b []byte, more bool) (uint64, uint64, error) {
	short := ErrTruncated
	if more {
		short = ErrHeaderTooLarge
	}
	i := 2
	for {
		// Find the next marker: 0xFF fill bytes may precede it (T.81
		// B.1.1.2), and so may other stray bytes, which the spec forbids but
		// libjpeg skips with a warning ("extraneous bytes before marker")
		// and Go's image/jpeg skips silently; a camera's or an editor's
		// JPEG with them opens everywhere, so it is sized here too.
		for i < len(b) && b[i] != 0xFF {
			i++
		}
		for i < len(b) && b[i] == 0xFF {
			i++
		}
		if i >= len(b) {
			return 0, 0, short
		}
		marker := b[i]
		i++
		switch {
		case marker == 0x00:
			continue // a stuffed zero is no marker: stray data, skipped as image/jpeg does
		case marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7):
			continue // TEM and RSTn stand alone
		case marker == 0xD9 || marker == 0xDA:
			return 0, 0, fmt.Errorf("%w: no frame header before %s", ErrCorrupt, map[byte]string{0xD9: "EOI", 0xDA: "SOS"}[marker])
		}
		if i+2 > len(b) {
			return 0, 0, short
		}
		length := int(binary.BigEndian.Uint16(b[i : i+2]))
		if length < 2 {
			return 0, 0, fmt.Errorf("%w: segment length %d at offset %d", ErrCorrupt, length, i)
		}
		if marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC {
			if i+7 > len(b) {
				return 0, 0, short
			}
			if length < 7 {
				return 0, 0, fmt.Errorf("%w: frame header length %d", ErrCorrupt, length)
			}
			return uint64(binary.BigEndian.Uint16(b[i+5 : i+7])), uint64(binary.BigEndian.Uint16(b[i+3 : i+5])), nil
		}
		i += length
	}
}

// webpSize reads the first chunk of a RIFF WEBP file (WebP Container
// Specification): lossy "VP8 " (frame header with 14-bit sizes), lossless
// "VP8L" (14-bit sizes minus one, packed) or extended "VP8X" (24-bit canvas
// sizes minus one).
func webpSize(b []byte) (uint64, uint64, error) {
	if len(b) < 16 {
		return 0, 0, ErrTruncated
	}
	switch string(b[12:16]) {
	case "VP8 ":
		if len(b) < 30 {
			return 0, 0, ErrTruncated
		}
		if b[23] != 0x9D || b[24] != 0x01 || b[25] != 0x2A {
			return 0, 0, fmt.Errorf("%w: VP8 start code missing", ErrCorrupt)
		}
		return uint64(binary.LittleEndian.Uint16(b[26:28]) & 0x3FFF), uint64(binary.LittleEndian.Uint16(b[28:30]) & 0x3FFF), nil
	case "VP8L":
		if len(b) < 25 {
			return 0, 0, ErrTruncated
		}
		if b[20] != 0x2F {
			return 0, 0, fmt.Errorf("%w: VP8L signature missing", ErrCorrupt)
		}
		bits := binary.LittleEndian.Uint32(b[21:25])
		return uint64(bits&0x3FFF) + 1, uint64((bits>>14)&0x3FFF) + 1, nil
	case "VP8X":
		if len(b) < 30 {
			return 0, 0, ErrTruncated
		}
		le24 := func(p []byte) uint64 { return uint64(p[0]) | uint64(p[1])<<8 | uint64(p[2])<<16 }
		return le24(b[24:27]) + 1, le24(b[27:30]) + 1, nil
	}
	return 0, 0, fmt.Errorf("%w: unknown WebP chunk %q", ErrCorrupt, b[12:16])
}
