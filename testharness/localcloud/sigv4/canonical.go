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
	canonical, stringToSign string
}

// buildSigning builds the canonical request (IAM User Guide, "Create a
// canonical request for Signature Version 4") as aws-sdk-go-v2's signer
// does, and the string to sign over it.
func buildSigning(r *http.Request, f Family, a *authParams, payloadHash string) signing {
	var b strings.Builder
	b.Grow(512)
	b.WriteString(r.Method)
	b.WriteByte('\n')
	path := r.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	if f == S3 {
		b.WriteString(path)
	} else {
		// Other services encode the already-encoded path once more.
		escapePath(&b, path)
	}
	b.WriteByte('\n')
	canonicalQuery(&b, r.URL.RawQuery, a.presigned)
	b.WriteByte('\n')
	for _, name := range a.signedHeaders {
		b.WriteString(name)
		b.WriteByte(':')
		canonicalHeaderValue(&b, r, name)
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	for i, name := range a.signedHeaders {
		if i > 0 {
			b.WriteByte(';')
		}
		b.WriteString(name)
	}
	b.WriteByte('\n')
	b.WriteString(payloadHash)
	canonical := b.String()

	sum := sha256.Sum256([]byte(canonical))
	sts := algorithm + "\n" + a.amzDate + "\n" + a.cred.scope() + "\n" + hex.EncodeToString(sum[:])
	return signing{canonical: canonical, stringToSign: sts}
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
func escapePath(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; unreserved[c] || c == '/' {
			b.WriteByte(c)
		} else {
			b.WriteByte('%')
			b.WriteByte(upperHex[c>>4])
			b.WriteByte(upperHex[c&15])
		}
	}
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
func canonicalQuery(b *strings.Builder, raw string, presigned bool) {
	if raw == "" {
		return
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
			b.WriteByte('&')
		}
		b.WriteString(p.k)
		b.WriteByte('=')
		b.WriteString(p.v)
	}
}

// canonicalHeaderValue writes a signed header's values, each trimmed with
// runs of spaces collapsed, joined by commas. Go's server moves Host to
// r.Host and may leave Content-Length only in r.ContentLength.
func canonicalHeaderValue(b *strings.Builder, r *http.Request, name string) {
	var values []string
	switch name {
	case "host":
		values = []string{r.Host}
	default:
		values = r.Header[textproto.CanonicalMIMEHeaderKey(name)]
		if len(values) == 0 && name == "content-length" && r.ContentLength >= 0 {
			values = []string{strconv.FormatInt(r.ContentLength, 10)}
		}
	}
	for i, v := range values {
		if i > 0 {
			b.WriteByte(',')
		}
		writeCollapsed(b, v)
	}
}

// writeCollapsed writes v trimmed of spaces with inner runs of spaces made
// one.
func writeCollapsed(b *strings.Builder, v string) {
	v = strings.Trim(v, " \t")
	space := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == ' ' {
			if !space {
				b.WriteByte(' ')
			}
			space = true
			continue
		}
		space = false
		b.WriteByte(c)
	}
}
