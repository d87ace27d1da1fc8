package lambda

import (
	"archive/zip"
	"bytes"
	"context"
	"debug/elf"
	"encoding/binary"
	"errors"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
)

// zipEntry is one file of a test deployment package.
type zipEntry struct {
	name string
	mode fs.FileMode
	data []byte
}

// zipOf builds a zip deployment package, with the files' Unix modes as
// `zip` on Linux records them (stored, not compressed: quicker to build).
func zipOf(t *testing.T, entries ...zipEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		hdr := &zip.FileHeader{Name: e.name, Method: zip.Store}
		hdr.SetMode(e.mode)
		w, err := zw.CreateHeader(hdr)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(e.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// testBootstrap is the test program's executable, built once by TestMain.
func testBootstrap(t *testing.T) zipEntry {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testBinDir, "bootstrap"))
	if err != nil {
		t.Fatal(err)
	}
	return zipEntry{name: "bootstrap", mode: 0o755, data: data}
}

// foreignArch is the Lambda architecture the host is not, and the ELF
// machine of its executables.
func foreignArch() (string, elf.Machine) {
	if runtime.GOARCH == "arm64" {
		return "amd64", elf.EM_X86_64
	}
	return "arm64", elf.EM_AARCH64
}

// foreignBootstrap is the ELF header of a Linux executable for the other
// Lambda architecture: all the local cloud reads of one.
func foreignBootstrap(t *testing.T) zipEntry {
	t.Helper()
	_, machine := foreignArch()
	hdr := elf.Header64{Type: uint16(elf.ET_EXEC), Machine: uint16(machine), Version: uint32(elf.EV_CURRENT),
		Ehsize: 64, Phentsize: 56, Shentsize: 64}
	copy(hdr.Ident[:], elf.ELFMAG)
	hdr.Ident[elf.EI_CLASS] = byte(elf.ELFCLASS64)
	hdr.Ident[elf.EI_DATA] = byte(elf.ELFDATA2LSB)
	hdr.Ident[elf.EI_VERSION] = byte(elf.EV_CURRENT)
	var buf bytes.Buffer
	if err := binary.Write(&buf, binary.LittleEndian, hdr); err != nil {
		t.Fatal(err)
	}
	return zipEntry{name: "bootstrap", mode: 0o755, data: buf.Bytes()}
}

// s3Objects is a fake S3 holding deployment packages by "bucket/key",
// answering a missing one as S3 does.
type s3Objects map[string][]byte

func (o s3Objects) GetObject(_ context.Context, bucket, key string) ([]byte, error) {
	if data, ok := o[bucket+"/"+key]; ok {
		return data, nil
	}
	return nil, &awsproto.Error{Code: "NoSuchKey", Status: http.StatusNotFound, Message: "The specified key does not exist."}
}

func TestCheckHostExecutable(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o755); err != nil {
			t.Fatal(err)
		}
		return path
	}
	if err := checkHostExecutable(filepath.Join(testBinDir, "bootstrap")); err != nil {
		t.Errorf("the host's own build: %v", err)
	}
	if err := checkHostExecutable(write("script", []byte("#!/bin/sh\nexec true\n"))); err != nil {
		t.Errorf("a script: %v", err)
	}
	if err := checkHostExecutable(filepath.Join(dir, "missing")); err != nil {
		t.Errorf("a missing file is left to the process start: %v", err)
	}
	arch, _ := foreignArch()
	err := checkHostExecutable(write("foreign", foreignBootstrap(t).data))
	if want := "its bootstrap is a linux/" + arch + " executable and this host is " + hostPlatform; err == nil || err.Error() != want {
		t.Errorf("foreign: %v, want %q", err, want)
	}
}

func TestUnzipKeepsModesAndRefusesEscapes(t *testing.T) {
	h := newHarness(t, nil)
	pkg, err := h.svc.zipPackage(zipOf(t,
		zipEntry{name: "bootstrap", mode: 0o755, data: []byte("#!/bin/sh\n")},
		zipEntry{name: "lib/", mode: fs.ModeDir | 0o755},
		zipEntry{name: "lib/data.txt", mode: 0o644, data: []byte("data")},
		zipEntry{name: "current", mode: fs.ModeSymlink | 0o777, data: []byte("lib/data.txt")}))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(pkg.bootstrap)
	if info, err := os.Stat(pkg.bootstrap); err != nil || info.Mode().Perm() != 0o755 {
		t.Errorf("bootstrap: %v %v", info, err)
	}
	if got, err := os.ReadFile(filepath.Join(dir, "current")); err != nil || string(got) != "data" {
		t.Errorf("symbolic link reads %q, %v", got, err)
	}
	again, err := h.svc.zipPackage(zipOf(t, zipEntry{name: "bootstrap", mode: 0o755, data: []byte("#!/bin/sh\n")},
		zipEntry{name: "lib/", mode: fs.ModeDir | 0o755},
		zipEntry{name: "lib/data.txt", mode: 0o644, data: []byte("data")},
		zipEntry{name: "current", mode: fs.ModeSymlink | 0o777, data: []byte("lib/data.txt")}))
	if err != nil || again != pkg {
		t.Errorf("the same package unpacks to %+v (%v), want %+v", again, err, pkg)
	}

	for name, data := range map[string][]byte{
		"not a zip":  []byte("PK but not really"),
		"dot-dot":    zipOf(t, zipEntry{name: "../escape", mode: 0o644}),
		"absolute":   zipOf(t, zipEntry{name: "/etc/escape", mode: 0o644}),
		"link first": zipOf(t, zipEntry{name: "../up", mode: fs.ModeSymlink | 0o777, data: []byte("/")}),
	} {
		_, err := h.svc.zipPackage(data)
		wantAPIError(t, name, err, "InvalidParameterValueException", "Could not unzip uploaded file. Please check your file, then try to upload again.")
	}
}

func TestUnzipRefusesMoreThanLambdaUnpacks(t *testing.T) {
	h := newHarness(t, nil)
	// The zip declares one byte over the limit: refused before a byte is
	// written, as Lambda refuses it.
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "bootstrap", Method: zip.Store, UncompressedSize64: maxUnzippedBytes, CompressedSize64: 1})
	if err != nil {
		t.Fatal(err)
	}
	_, _ = w.Write([]byte{0})
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	_, err = h.svc.zipPackage(buf.Bytes())
	wantAPIError(t, "declared size", err, "InvalidParameterValueException", "Unzipped size must be smaller than 262144000 bytes")
}

// wantAPIError checks an error's AWS code and exact message.
func wantAPIError(t *testing.T, what string, err error, code, message string) {
	t.Helper()
	var apiErr *awsproto.Error
	if !errors.As(err, &apiErr) || apiErr.Code != code || apiErr.Message != message {
		t.Errorf("%s: %v, want %s: %s", what, err, code, message)
	}
}
