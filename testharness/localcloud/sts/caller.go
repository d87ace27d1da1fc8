package sts

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"net/url"
	"strings"

	"github.com/tracebridge/tracebridge/testharness/localcloud/arn"
	"github.com/tracebridge/tracebridge/testharness/localcloud/identity"
)

// CallerIdentity is who a request acts as, as GetCallerIdentity answers.
type CallerIdentity struct {
	Account string
	ARN     string
	// UserID is the account id for the root user, "AROA…:SESSION" for a
	// role session.
	UserID string
}

// GetCallerIdentity describes the principal of ctx.
func (s *Service) GetCallerIdentity(ctx context.Context) CallerIdentity {
	p := identity.FromContext(ctx)
	if !p.IsRole() {
		return CallerIdentity{Account: arn.Account, ARN: p.ARN, UserID: arn.Account}
	}
	return CallerIdentity{Account: arn.Account, ARN: p.ARN, UserID: RoleID(p.RoleARN) + ":" + p.SessionName}
}

// RoleID is the stable unique id ("AROA" and 17 characters) the local STS
// gives a role: derived from its ARN, so every session of a role, in every
// run, shows the same id.
func RoleID(roleARN string) string {
	sum := sha256.Sum256([]byte(roleARN))
	return "AROA" + base32.StdEncoding.EncodeToString(sum[:])[:17]
}

// roleName is the last segment of a role ARN (paths dropped), as
// assumed-role ARNs name it.
func roleName(roleARN string) string { return roleARN[strings.LastIndex(roleARN, "/")+1:] }

type getCallerIdentityResult struct {
	UserID  string `xml:"UserId"`
	Account string `xml:"Account"`
	Arn     string `xml:"Arn"`
}

func (s *Service) getCallerIdentityQuery(ctx context.Context, _ url.Values) (any, error) {
	c := s.GetCallerIdentity(ctx)
	return getCallerIdentityResult{UserID: c.UserID, Account: c.Account, Arn: c.ARN}, nil
}
