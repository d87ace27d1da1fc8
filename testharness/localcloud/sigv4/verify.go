// Package sigv4 verifies AWS Signature Version 4 requests as AWS's front
// doors do: Authorization-header and presigned-URL signatures, the
// 15-minute clock skew, presigned expiry, session tokens, and S3's payload
// hashes including signed aws-chunked streams. It answers every failure with
// the code, message and HTTP status the request's protocol family uses, as
// an *awsproto.Error.
//
// The canonical request follows aws-sdk-go-v2's signer (aws/signer/v4): the
// path is taken as sent and, except for S3, URI-encoded once more; the
// query is decoded, re-encoded and sorted after encoding; signed header
// values are trimmed with inner runs of spaces collapsed. Paths are not
// normalized (no removal of "." segments), as the SDKs do not normalize.
package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Payload hash markers a client may sign instead of a body's hash (Amazon
// S3 API Reference, "Authenticating Requests (AWS Signature Version 4)").
const (
	UnsignedPayload          = "UNSIGNED-PAYLOAD"
	StreamingPayload         = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	StreamingPayloadTrailer  = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
	StreamingUnsignedTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"

	algorithm  = "AWS4-HMAC-SHA256"
	timeFormat = "20060102T150405Z"
	emptyHash  = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
)

// LookupFunc returns the secret key and, for temporary credentials, the
// session token of an access key id; ok is false for a key never issued.
type LookupFunc func(accessKeyID string) (secret, sessionToken string, ok bool)

// Payload says how the verifier learns the request body's hash.
type Payload struct {
	body     []byte
	streamed bool
}

// Body is a payload the caller has already read: its hash goes into the
// canonical request (and, for S3, must equal x-amz-content-sha256).
func Body(b []byte) Payload { return Payload{body: b} }

// Streamed is a payload the caller has not read: the hash the client signed
// in x-amz-content-sha256 is used, and Result.Body checks the body against
// it as it is read. This is how S3 avoids reading a large body twice.
func Streamed() Payload { return Payload{streamed: true} }

// Verifier checks the signatures of one protocol family's requests.
type Verifier struct {
	Family Family
	Lookup LookupFunc
	// Region, when set, is the only region a credential scope may name:
	// the endpoint's own.
	Region string
	// Services, when set, are the signing names the endpoint answers to;
	// a request signed for another service is refused, as AWS refuses a
	// credential scoped to another service.
	Services []string
	// Keys, when set, caches signing keys, which change only with the
	// secret, the date, the region and the service.
	Keys *KeyCache
}

// Result is what a verified signature establishes.
type Result struct {
	AccessKeyID  string
	SessionToken string
	// Service and Region are the credential scope's signing name and region.
	Service, Region string
	// SignedHeaders are the lowercase names the signature covers.
	SignedHeaders []string
	SignedAt      time.Time
	Presigned     bool
	// PayloadHash is the hash the signature covers: a hex SHA-256 or one of
	// the UNSIGNED/STREAMING markers.
	PayloadHash string

	family        Family
	streamed      bool
	key           *signingKey
	scope         string
	seedSignature string
}

// Signed tells whether a request carries a SigV4 signature at all, in an
// Authorization header or a presigned query. An unsigned request is
// anonymous: S3 may still allow it by bucket policy; other services refuse.
func Signed(r *http.Request) bool {
	return r.Header.Get("Authorization") != "" || r.URL.Query().Has("X-Amz-Algorithm")
}

// credential is the parsed "AKID/DATE/REGION/SERVICE/aws4_request".
type credential struct {
	accessKey, date, region, service, terminator string
}

func parseCredential(s string) (credential, bool) {
	var c credential
	var ok [4]bool
	c.accessKey, s, ok[0] = strings.Cut(s, "/")
	c.date, s, ok[1] = strings.Cut(s, "/")
	c.region, s, ok[2] = strings.Cut(s, "/")
	c.service, c.terminator, ok[3] = strings.Cut(s, "/")
	if ok != [4]bool{true, true, true, true} || strings.Contains(c.terminator, "/") {
		return credential{}, false
	}
	return c, true
}

func (c credential) scope() string {
	return c.date + "/" + c.region + "/" + c.service + "/" + c.terminator
}

// Signature is a request's signature checked in every way that does not
// need the body: its form, clock skew or expiry, credential scope, access
// key and session token. A server checks it before reading a byte of the
// body, so that an unsigned or wrongly signed request costs nothing to
// refuse; Verify then checks the signature itself over the body.
type Signature struct {
	family Family
	auth   authParams
	secret string
	keys   *KeyCache
}

// Check checks everything about r's signature that does not need its body,
// at time now, and returns the signature to Verify, or an *awsproto.Error
// in the family's shape.
func (v Verifier) Check(r *http.Request, now time.Time) (*Signature, error) {
	f := v.Family
	var (
		auth authParams
		err  error
	)
	switch {
	case r.Header.Get("Authorization") != "":
		auth, err = f.parseHeaderAuth(r)
	case r.URL.Query().Has("X-Amz-Algorithm"):
		auth, err = f.parsePresigned(r, now)
	default:
		return nil, f.missingAuth()
	}
	if err != nil {
		return nil, err
	}
	if err := v.checkScopeNames(auth.cred, auth.presigned); err != nil {
		return nil, err
	}
	if !auth.presigned {
		if d := now.Sub(auth.signedAt); d > maxSkew || d < -maxSkew {
			return nil, f.skewed(auth.signedAt, now)
		}
	}
	secret, token, ok := v.Lookup(auth.cred.accessKey)
	if !ok {
		return nil, f.unknownKey(auth.cred.accessKey)
	}
	if auth.token != token {
		return nil, f.badToken()
	}
	return &Signature{family: f, auth: auth, secret: secret, keys: v.Keys}, nil
}

// Verify checks the signature over r and its payload and returns what it
// establishes, or an *awsproto.Error in the family's shape.
func (s *Signature) Verify(r *http.Request, p Payload) (Result, error) {
	f, auth := s.family, &s.auth
	res := Result{AccessKeyID: auth.cred.accessKey, Service: auth.cred.service, Region: auth.cred.region,
		SignedHeaders: auth.signedHeaders, SignedAt: auth.signedAt, Presigned: auth.presigned,
		SessionToken: auth.token, family: f, streamed: p.streamed, seedSignature: auth.signature}
	if p.streamed {
		res.scope = auth.cred.scope() // chunk signatures sign it
	}
	var err error
	if res.PayloadHash, err = f.payloadHash(r, p, auth.presigned); err != nil {
		return Result{}, err
	}
	res.key = s.keys.key(s.secret, auth.cred)
	sig := buildSigning(r, f, auth, res.PayloadHash)
	if !res.key.matches(sig.stringToSign, auth.signature) {
		return Result{}, f.signatureMismatch(auth.cred.accessKey, &sig, auth.signature)
	}
	return res, nil
}

// Verify checks r's signature at time now and returns what it establishes,
// or an *awsproto.Error in the family's shape: Check, then
// Signature.Verify.
func (v Verifier) Verify(r *http.Request, p Payload, now time.Time) (Result, error) {
	s, err := v.Check(r, now)
	if err != nil {
		return Result{}, err
	}
	return s.Verify(r, p)
}

// payloadHash is the hash that goes into the canonical request.
func (f Family) payloadHash(r *http.Request, p Payload, presigned bool) (string, error) {
	claimed := r.Header.Get("X-Amz-Content-Sha256")
	if presigned && claimed == "" {
		claimed = r.URL.Query().Get("X-Amz-Content-Sha256")
	}
	if f != S3 && !p.streamed {
		// Other services sign the body's hash; a header, when present, is
		// signed as a header like any other.
		return hashHex(p.body), nil
	}
	if claimed == "" {
		if presigned {
			return UnsignedPayload, nil
		}
		return "", invalidRequest("Missing required header for this request: x-amz-content-sha256")
	}
	switch claimed {
	case UnsignedPayload, StreamingPayload, StreamingPayloadTrailer, StreamingUnsignedTrailer:
		return claimed, nil
	}
	if len(claimed) != 64 || strings.ToLower(claimed) != claimed {
		return "", invalidArgument("x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-… or a valid sha256 value.")
	}
	if !p.streamed {
		if got := hashHex(p.body); got != claimed {
			return "", contentSHA256Mismatch(claimed, got)
		}
	}
	return claimed, nil
}

// authParams are the signature's parts, from a header or a query.
type authParams struct {
	cred          credential
	signedHeaders []string
	signature     string
	signedAt      time.Time
	amzDate       string
	token         string
	presigned     bool
}

// parseHeaderAuth reads "AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…,
// Signature=…" and the request time.
func (f Family) parseHeaderAuth(r *http.Request) (authParams, error) {
	header := r.Header.Get("Authorization")
	alg, rest, _ := strings.Cut(header, " ")
	if alg != algorithm {
		return authParams{}, f.malformed("Unsupported Authorization Type: " + strconv.Quote(alg))
	}
	var a authParams
	var credStr, signed string
	for part := range strings.SplitSeq(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Credential":
			credStr = v
		case "SignedHeaders":
			signed = v
		case "Signature":
			a.signature = v
		}
	}
	var missing []string
	for _, m := range []struct{ name, v string }{{"Credential", credStr}, {"Signature", a.signature}, {"SignedHeaders", signed}} {
		if m.v == "" {
			missing = append(missing, "Authorization header requires '"+m.name+"' parameter.")
		}
	}
	if len(missing) > 0 {
		return authParams{}, f.malformed(strings.Join(missing, " ") + " Authorization=" + header)
	}
	var ok bool
	if a.cred, ok = parseCredential(credStr); !ok {
		return authParams{}, f.malformed("Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '" + credStr + "'")
	}
	a.signedHeaders = strings.Split(signed, ";")
	a.amzDate = r.Header.Get("X-Amz-Date")
	if a.amzDate == "" {
		if d, err := http.ParseTime(r.Header.Get("Date")); err == nil {
			a.amzDate = d.UTC().Format(timeFormat)
		}
	}
	if a.amzDate == "" {
		if f == S3 {
			return authParams{}, f.signatureError("AWS authentication requires a valid Date or x-amz-date header")
		}
		return authParams{}, f.malformed("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=" + header)
	}
	a.token = r.Header.Get("X-Amz-Security-Token")
	return a, f.checkScope(&a)
}

// parsePresigned reads the X-Amz-* query parameters of a presigned URL and
// checks its expiry.
func (f Family) parsePresigned(r *http.Request, now time.Time) (authParams, error) {
	q := r.URL.Query()
	if alg := q.Get("X-Amz-Algorithm"); alg != algorithm {
		return authParams{}, f.malformedQuery("X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"")
	}
	a := authParams{presigned: true, signature: q.Get("X-Amz-Signature"), amzDate: q.Get("X-Amz-Date"),
		token: q.Get("X-Amz-Security-Token")}
	for _, name := range []string{"X-Amz-Credential", "X-Amz-Signature", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Expires"} {
		if q.Get(name) == "" {
			return authParams{}, f.malformedQuery("Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.")
		}
	}
	var ok bool
	if a.cred, ok = parseCredential(q.Get("X-Amz-Credential")); !ok {
		return authParams{}, f.malformedQuery("Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".")
	}
	a.signedHeaders = strings.Split(q.Get("X-Amz-SignedHeaders"), ";")
	expires, err := strconv.Atoi(q.Get("X-Amz-Expires"))
	switch {
	case err != nil || expires < 0:
		return authParams{}, f.malformedQuery("X-Amz-Expires must be non-negative")
	case expires > maxPresignExpires:
		return authParams{}, f.malformedQuery("X-Amz-Expires must be less than a week (in seconds) that is 604800")
	}
	if err := f.checkScope(&a); err != nil {
		return authParams{}, err
	}
	if a.signedAt.Sub(now) > maxSkew {
		return authParams{}, f.skewed(a.signedAt, now)
	}
	if now.After(a.signedAt.Add(time.Duration(expires) * time.Second)) {
		return authParams{}, f.expired(a.signedAt, expires, now)
	}
	return a, nil
}

// checkScope parses the request time and checks the credential scope
// against it.
func (f Family) checkScope(a *authParams) error {
	t, err := time.Parse(timeFormat, a.amzDate)
	if err != nil {
		return f.malformed("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"")
	}
	a.signedAt = t
	if a.cred.terminator != "aws4_request" {
		return f.malformed("Credential should be scoped with a valid terminator: 'aws4_request', not '" + a.cred.terminator + "'.")
	}
	if a.cred.date != a.amzDate[:8] {
		return f.malformed("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '" +
			a.cred.date + "' != '" + a.amzDate[:8] + "', from '" + a.amzDate + "'.")
	}
	for _, h := range a.signedHeaders {
		if h == "host" {
			return nil
		}
	}
	return f.malformed("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
}

// matches tells whether signature is the hex HMAC of stringToSign.
func (k *signingKey) matches(stringToSign []byte, signature string) bool {
	var mac [sha256.Size]byte
	var want [2 * sha256.Size]byte
	hex.Encode(want[:], k.sign(mac[:0], stringToSign))
	return hmac.Equal(want[:], []byte(signature))
}

func hmacSHA256(key []byte, data string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(data))
	return h.Sum(nil)
}

func hashHex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
