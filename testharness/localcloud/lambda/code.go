package lambda

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
)

// Deployment package limits
// (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html):
// 250 MB unzipped, 50 MB zipped for direct upload, which base64 makes a
// request of 69,905,067 bytes ("Request must be smaller than 69905067
// bytes for the CreateFunction operation"; the gateway answers a larger
// body with its 413).
const (
	maxUnzippedBytes    = 262144000
	maxCodeRequestBytes = 69905067
)

// CodeObjects reads deployment packages stored in S3: the S3Bucket/S3Key
// of CreateFunction and UpdateFunctionCode, and a template's Code that is
// not an asset of the cloud assembly.
type CodeObjects interface {
	GetObject(ctx context.Context, bucket, key string) ([]byte, error)
}

// codePackage is a function's code on the host.
type codePackage struct {
	// bootstrap is the executable the provided runtimes start. It may be
	// missing from the package: Lambda accepts such a package and fails
	// its invocations with Runtime.InvalidEntrypoint.
	bootstrap string
	sha256    string // base64, as CodeSha256
	size      int64
}

// filePackage is a bootstrap on the host, run where it is.
func filePackage(bootstrap string) (codePackage, error) {
	sum, size, err := fileDigest(bootstrap)
	if err != nil {
		return codePackage{}, err
	}
	return codePackage{bootstrap: bootstrap, sha256: sum, size: size}, nil
}

func fileDigest(path string) (string, int64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", 0, fmt.Errorf("reading code: %w", err)
	}
	sum := sha256.Sum256(b)
	return base64.StdEncoding.EncodeToString(sum[:]), int64(len(b)), nil
}

// assetPackage is the code of a cloud assembly file asset: a directory
// (CDK stages Code.fromAsset of a directory so, and zips it only to
// upload it), run in place, or a .zip file, unpacked.
func (s *Service) assetPackage(path string) (codePackage, error) {
	info, err := os.Stat(path)
	if err != nil {
		return codePackage{}, fmt.Errorf("cloud assembly asset: %w", err)
	}
	if !info.IsDir() {
		data, err := os.ReadFile(path)
		if err != nil {
			return codePackage{}, fmt.Errorf("cloud assembly asset: %w", err)
		}
		return s.zipPackage(data)
	}
	pkg := codePackage{bootstrap: filepath.Join(path, "bootstrap")}
	if sum, size, err := fileDigest(pkg.bootstrap); err == nil {
		pkg.sha256, pkg.size = sum, size
	}
	return pkg, nil
}

// s3Package reads a zip from S3 and unpacks it; S3's error is reported
// as Lambda reports it.
func (s *Service) s3Package(ctx context.Context, bucket, key string) (codePackage, error) {
	if s.opts.CodeObjects == nil {
		return codePackage{}, invalidParameter("Error occurred while GetObject: the local Lambda service has no S3 to read s3://%s/%s from", bucket, key)
	}
	data, err := s.opts.CodeObjects.GetObject(ctx, bucket, key)
	var s3Err *awsproto.Error
	if errors.As(err, &s3Err) {
		return codePackage{}, invalidParameter("Error occurred while GetObject. S3 Error Code: %s. S3 Error Message: %s", s3Err.Code, s3Err.Message)
	}
	if err != nil {
		return codePackage{}, fmt.Errorf("reading s3://%s/%s: %w", bucket, key, err)
	}
	return s.zipPackage(data)
}

// zipPackage unpacks a zip deployment package into the service's package
// directory, under the zip's SHA-256: the same package is unpacked once.
func (s *Service) zipPackage(data []byte) (codePackage, error) {
	sum := sha256.Sum256(data)
	root, err := s.packageDir()
	if err != nil {
		return codePackage{}, err
	}
	dir := filepath.Join(root, hex.EncodeToString(sum[:]))
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		// Unpacked beside and renamed into place, so a concurrent
		// deployment of the same package never runs a partial one.
		work, err := os.MkdirTemp(root, ".unpacking-")
		if err != nil {
			return codePackage{}, fmt.Errorf("unpack code: %w", err)
		}
		defer os.RemoveAll(work)
		if err := unzip(data, work); err != nil {
			return codePackage{}, err
		}
		if err := os.Rename(work, dir); err != nil {
			if _, statErr := os.Stat(dir); statErr != nil {
				return codePackage{}, fmt.Errorf("unpack code: %w", err)
			}
		}
	}
	return codePackage{bootstrap: filepath.Join(dir, "bootstrap"),
		sha256: base64.StdEncoding.EncodeToString(sum[:]), size: int64(len(data))}, nil
}

// packageDir returns the directory unpacked packages are kept in for the
// life of the service, making it on first use.
func (s *Service) packageDir() (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return "", fmt.Errorf("lambda service is closed")
	}
	if s.packages == "" {
		dir, err := os.MkdirTemp("", "tracebridge-lambda-code-")
		if err != nil {
			return "", fmt.Errorf("package directory: %w", err)
		}
		s.packages = dir
	}
	return s.packages, nil
}

func couldNotUnzip() error {
	return invalidParameter("Could not unzip uploaded file. Please check your file, then try to upload again.")
}

func unzippedTooLarge() error {
	return invalidParameter("Unzipped size must be smaller than %d bytes", maxUnzippedBytes)
}

// unzip writes a zip's files into dest with the modes the zip records.
// Entries that would land outside dest are refused, and symbolic links are
// made after every file, so that no write goes through one.
func unzip(data []byte, dest string) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return couldNotUnzip()
	}
	var declared uint64
	for _, f := range zr.File {
		declared += f.UncompressedSize64
	}
	if declared >= maxUnzippedBytes {
		return unzippedTooLarge()
	}
	budget := int64(maxUnzippedBytes)
	var links []*zip.File
	for _, f := range zr.File {
		name := filepath.FromSlash(strings.TrimSuffix(f.Name, "/"))
		if !filepath.IsLocal(name) {
			return couldNotUnzip()
		}
		path := filepath.Join(dest, name)
		switch mode := f.Mode(); {
		case mode&fs.ModeSymlink != 0:
			links = append(links, f)
		case mode.IsDir():
			if err := os.MkdirAll(path, 0o755); err != nil {
				return fmt.Errorf("unpack code: %w", err)
			}
		default:
			n, err := unzipFile(f, path, budget)
			if err != nil {
				return err
			}
			budget -= n
		}
	}
	for _, f := range links {
		target, err := readEntry(f, 4096)
		if err != nil {
			return couldNotUnzip()
		}
		path := filepath.Join(dest, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return fmt.Errorf("unpack code: %w", err)
		}
		if err := os.Symlink(string(target), path); err != nil {
			return fmt.Errorf("unpack code: %w", err)
		}
	}
	return nil
}

// unzipFile writes one file of at most budget bytes and returns its size.
func unzipFile(f *zip.File, path string, budget int64) (int64, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return 0, fmt.Errorf("unpack code: %w", err)
	}
	rc, err := f.Open()
	if err != nil {
		return 0, couldNotUnzip()
	}
	defer rc.Close()
	out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, f.Mode().Perm())
	if err != nil {
		return 0, fmt.Errorf("unpack code: %w", err)
	}
	n, err := io.Copy(out, io.LimitReader(rc, budget+1))
	if closeErr := out.Close(); err == nil && closeErr != nil {
		return 0, fmt.Errorf("unpack code: %w", closeErr)
	}
	switch {
	case err != nil:
		return 0, couldNotUnzip()
	case n > budget:
		// The sizes the zip declared were not the sizes it holds.
		return 0, unzippedTooLarge()
	}
	return n, nil
}

// readEntry reads a small entry whole (a symbolic link's target).
func readEntry(f *zip.File, limit int64) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(io.LimitReader(rc, limit))
}
