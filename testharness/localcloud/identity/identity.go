// Package identity knows who is calling: the access keys the local cloud
// accepts, the principal each one stands for, and the temporary credentials
// it issues to roles (as STS AssumeRole would) so that every Lambda
// function, pipe and state machine calls with its own role's identity.
//
// The gateway resolves the principal of each request and puts it in the
// request's context; services read it with FromContext.
package identity

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"strings"
	"sync"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/arn"
	"github.com/tracebridge/tracebridge/testharness/localenv"
)

// The user's long-term credentials, an administrator of the local account.
const (
	DefaultAccessKeyID     = localenv.AccessKeyID
	DefaultSecretAccessKey = localenv.SecretAccessKey
)

// Principal is the identity a request acts as.
type Principal struct {
	// ARN is the caller's ARN: arn:aws:iam::ACCOUNT:root for the user, or
	// arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION for a role session.
	ARN string
	// RoleARN is the IAM role of an assumed-role session, empty otherwise.
	RoleARN string
	// SessionName is the role session's name (a function name, say).
	SessionName string
	AccessKeyID string
	// Anonymous marks an unsigned request's principal.
	Anonymous bool
}

// Account returns the principal's account id.
func (p Principal) Account() string { return arn.Account }

// IsRole tells whether the principal is a role session.
func (p Principal) IsRole() bool { return p.RoleARN != "" }

// Credentials are AWS credentials as an SDK or a process environment takes them.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	Expiration      time.Time
}

// Root is the principal of the default test/test credentials.
func Root() Principal {
	return Principal{ARN: arn.Global("iam", "root"), AccessKeyID: DefaultAccessKeyID}
}

// Anonymous is the principal of an unsigned request (S3 only): it is
// allowed only what a resource policy grants to "*".
func Anonymous() Principal { return Principal{ARN: "anonymous", Anonymous: true} }

type entry struct {
	principal Principal
	secret    string
	token     string
}

// Store maps access keys to principals. It is safe for concurrent use.
type Store struct {
	mu   sync.RWMutex
	keys map[string]entry
}

// NewStore returns a store that knows the default user credentials.
func NewStore() *Store {
	s := &Store{keys: map[string]entry{}}
	s.keys[DefaultAccessKeyID] = entry{principal: Root(), secret: DefaultSecretAccessKey}
	return s
}

// AssumeRole issues temporary credentials for a session of roleARN, valid
// for duration, as STS AssumeRole does.
func (s *Store) AssumeRole(roleARN, sessionName string, now time.Time, duration time.Duration) Credentials {
	creds := Credentials{
		AccessKeyID:     "ASIA" + randomToken(12),
		SecretAccessKey: randomSecret(30),
		SessionToken:    randomSecret(90),
		Expiration:      now.Add(duration),
	}
	p := RoleSession(roleARN, sessionName, creds.AccessKeyID)
	s.mu.Lock()
	s.keys[creds.AccessKeyID] = entry{principal: p, secret: creds.SecretAccessKey, token: creds.SessionToken}
	s.mu.Unlock()
	return creds
}

// RoleSession is the principal of a session of roleARN:
// arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION.
func RoleSession(roleARN, sessionName, accessKeyID string) Principal {
	roleName := roleARN[strings.LastIndex(roleARN, "/")+1:]
	return Principal{
		ARN:         arn.Global("sts", "assumed-role/"+roleName+"/"+sessionName),
		RoleARN:     roleARN,
		SessionName: sessionName,
		AccessKeyID: accessKeyID,
	}
}

// Lookup returns the principal and secret key of an access key id.
func (s *Store) Lookup(accessKeyID string) (p Principal, secret string, ok bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	e, ok := s.keys[accessKeyID]
	return e.principal, e.secret, ok
}

// Secret returns the secret key and the session token (empty for the
// long-term user key) issued with an access key id, as a SigV4 verifier
// needs them: a temporary key is valid only with its own token.
func (s *Store) Secret(accessKeyID string) (secret, sessionToken string, ok bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	e, ok := s.keys[accessKeyID]
	return e.secret, e.token, ok
}

func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return strings.ToUpper(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))[:n+4]
}

func randomSecret(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawStdEncoding.EncodeToString(b)
}

type principalKey struct{}

// NewContext returns a context carrying the principal of a request.
func NewContext(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the principal of the request ctx belongs to; calls
// made from inside the local cloud without one act as the root user.
func FromContext(ctx context.Context) Principal {
	if p, ok := ctx.Value(principalKey{}).(Principal); ok {
		return p
	}
	return Root()
}
