package sigv4

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/textproto"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// signing is the canonical request and string to sign of a request.
type signing struct {
	canonical, stringToSign []byte
}

// buildSigning builds the canonical request (IAM User Guide, "Create a
// canonical request for Signature Version 4") as aws-sdk-go-v2's signer
// does, and the string to sign over it.
func buildSigning(r *http.Request, f Family, a *authParams, payloadHash string) signing {
	b := make([]byte, 0, 512)
	b = append(b, r.Method...)
	b = append(b, '\n')
	path := r.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	if f == S3 {
		b = append(b, path...)
	} else {
		// Other services encode the already-encoded path once more.
		b = escapePath(b, path)
	}
	b = append(b, '\n')
	b = canonicalQuery(b, r.URL.RawQuery, a.presigned)
	b = append(b, '\n')
	for _, name := range a.signedHeaders {
		b = append(b, name...)
		b = append(b, ':')
		b = canonicalHeaderValue(b, r, name)
		b = append(b, '\n')
	}
	b = append(b, '\n')
	for i, name := range a.signedHeaders {
		if i > 0 {
			b = append(b, ';')
		}
		b = append(b, name...)
	}
	b = append(b, '\n')
	b = append(b, payloadHash...)

	sum := sha256.Sum256(b)
	sts := make([]byte, 0, len(algorithm)+len(a.amzDate)+len(a.cred.date)+len(a.cred.region)+len(a.cred.service)+len(a.cred.terminator)+3+3+2*len(sum))
	sts = append(append(sts, algorithm...), '\n')
	sts = append(append(sts, a.amzDate...), '\n')
	sts = append(append(sts, a.cred.date...), '/')
	sts = append(append(sts, a.cred.region...), '/')
	sts = append(append(sts, a.cred.service...), '/')
	sts = append(append(sts, a.cred.terminator...), '\n')
	sts = hex.AppendEncode(sts, sum[:])
	return signing{canonical: b, stringToSign: sts}
}

// unreserved marks the bytes SigV4 leaves unencoded (RFC 3986 unreserved).
var unreserved = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
			c == '-' || c == '.' || c == '_' || c == '~'
	}
	return t
}()

const upperHex = "0123456789ABCDEF"

// escapePath URI-encodes every byte but unreserved ones and '/'.
func escapePath(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; unreserved[c] || c == '/' {
			b = append(b, c)
		} else {
			b = append(b, '%', upperHex[c>>4], upperHex[c&15])
		}
	}
	return b
}

// encodeComponent URI-encodes a query name or value: a space is %20.
func encodeComponent(s string) string {
	for i := 0; i < len(s); i++ {
		if !unreserved[s[i]] {
			var b strings.Builder
			for j := 0; j < len(s); j++ {
				if c := s[j]; unreserved[c] {
					b.WriteByte(c)
				} else {
					b.WriteByte('%')
					b.WriteByte(upperHex[c>>4])
					b.WriteByte(upperHex[c&15])
				}
			}
			return b.String()
		}
	}
	return s
}

// canonicalQuery writes the query's pairs decoded, re-encoded and sorted
// after encoding, as the SigV4 spec says; a presigned URL's own signature
// is left out.
func canonicalQuery(b []byte, raw string, presigned bool) []byte {
	if raw == "" {
		return b
	}
	type pair struct{ k, v string }
	var pairs []pair
	for part := range strings.SplitSeq(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		if dk, err := url.QueryUnescape(k); err == nil {
			k = dk
		}
		if dv, err := url.QueryUnescape(v); err == nil {
			v = dv
		}
		if presigned && k == "X-Amz-Signature" {
			continue
		}
		pairs = append(pairs, pair{encodeComponent(k), encodeComponent(v)})
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].k != pairs[j].k {
			return pairs[i].k < pairs[j].k
		}
		return pairs[i].v < pairs[j].v
	})
	for i, p := range pairs {
		if i > 0 {
			b = append(b, '&')
		}
		b = append(b, p.k...)
		b = append(b, '=')
		b = append(b, p.v...)
	}
	return b
}

// canonicalHeaderValue appends a signed header's values, each trimmed with
// runs of spaces collapsed, joined by commas. Go's server moves Host to
// r.Host and may leave Content-Length only in r.ContentLength.
func canonicalHeaderValue(b []byte, r *http.Request, name string) []byte {
	var values []string
	switch name {
	case "host":
		values = []string{r.Host}
	default:
		key, ok := signedHeaderKeys[name]
		if !ok {
			key = textproto.CanonicalMIMEHeaderKey(name)
		}
		values = r.Header[key]
		if len(values) == 0 && name == "content-length" && r.ContentLength >= 0 {
			values = []string{strconv.FormatInt(r.ContentLength, 10)}
		}
	}
	for i, v := range values {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendCollapsed(b, v)
	}
	return b
}

// signedHeaderKeys are the header keys of the names the SDKs sign, which
// textproto.CanonicalMIMEHeaderKey would allocate anew on every request.
var signedHeaderKeys = func() map[string]string {
	m := map[string]string{}
	for _, k := range []string{"Content-Type", "Content-Length", "Content-Md5", "Content-Encoding", "X-Amz-Date",
		"X-Amz-Target", "X-Amz-Security-Token", "X-Amz-Content-Sha256", "X-Amz-User-Agent", "X-Amz-Decoded-Content-Length",
		"X-Amz-Trailer", "X-Amz-Sdk-Checksum-Algorithm", "Amz-Sdk-Invocation-Id", "Amz-Sdk-Request", "X-Amz-Api-Version"} {
		m[strings.ToLower(k)] = k
	}
	return m
}()

// appendCollapsed appends v trimmed of spaces with inner runs of spaces
// made one.
func appendCollapsed(b []byte, v string) []byte {
	v = strings.Trim(v, " \t")
	space := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == ' ' {
			if !space {
				b = append(b, ' ')
			}
			space = true
			continue
		}
		space = false
		b = append(b, c)
	}
	return b
}
