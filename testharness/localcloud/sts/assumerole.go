package sts

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
	"github.com/tracebridge/tracebridge/testharness/localcloud/identity"
)

// Session duration bounds of AssumeRole (STS API Reference, AssumeRole:
// DurationSeconds 900–43200, default 3600; one hour at most when a role
// session assumes a role).
const (
	minDuration      = 900
	maxDuration      = 43200
	defaultDuration  = 3600
	maxChainDuration = 3600
)

// sessionNamePattern is RoleSessionName's pattern, quoted as is in AWS's
// validation message.
const sessionNamePattern = `[\w+=,.@-]*`

var sessionNameRE = regexp.MustCompile(`^` + sessionNamePattern + `$`)

// AssumeRoleInput asks for a role session.
type AssumeRoleInput struct {
	RoleARN     string
	SessionName string
	// DurationSeconds is the session's lifetime; 0 means 3600.
	DurationSeconds int
}

// AssumeRoleOutput is a role session's credentials and identity.
type AssumeRoleOutput struct {
	Credentials identity.Credentials
	// AssumedRoleARN is arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION.
	AssumedRoleARN string
	// AssumedRoleID is "AROA…:SESSION".
	AssumedRoleID string
}

// AssumeRole issues temporary credentials for a session of an existing
// role. Bad input is a ValidationError in AWS's words; a role that does
// not exist is AccessDenied, as AWS answers it. The role's trust policy
// and MaxSessionDuration are not evaluated.
func (s *Service) AssumeRole(ctx context.Context, in AssumeRoleInput) (AssumeRoleOutput, error) {
	var duration *int
	if in.DurationSeconds != 0 {
		duration = &in.DurationSeconds
	}
	return s.assumeRole(ctx, in.RoleARN, in.SessionName, duration)
}

// assumeRole is AssumeRole with the duration as the request had it: nil
// when absent (3600), so that an explicit 0 is rejected.
func (s *Service) assumeRole(ctx context.Context, roleARN, sessionName string, durationSeconds *int) (AssumeRoleOutput, error) {
	if err := validateAssumeRole(roleARN, sessionName, durationSeconds); err != nil {
		return AssumeRoleOutput{}, err
	}
	duration := defaultDuration
	if durationSeconds != nil {
		duration = *durationSeconds
	}
	caller := identity.FromContext(ctx)
	if caller.IsRole() && duration > maxChainDuration {
		return AssumeRoleOutput{}, awsproto.NewError("ValidationError", http.StatusBadRequest,
			"The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
	}
	if s.roles == nil || !s.roles.RoleExists(ctx, roleARN) {
		// STS does not tell a missing role from a refused one.
		return AssumeRoleOutput{}, awsproto.Errorf("AccessDenied", http.StatusForbidden,
			"User: %s is not authorized to perform: sts:AssumeRole on resource: %s", caller.ARN, roleARN)
	}
	if s.identities == nil {
		return AssumeRoleOutput{}, awsproto.InternalError(errors.New("sts: no identity store to issue credentials"))
	}
	creds := s.identities.AssumeRole(roleARN, sessionName, s.clock.Now(), time.Duration(duration)*time.Second)
	return AssumeRoleOutput{Credentials: creds,
		AssumedRoleARN: "arn:aws:sts::" + caller.Account() + ":assumed-role/" + roleName(roleARN) + "/" + sessionName,
		AssumedRoleID:  RoleID(roleARN) + ":" + sessionName}, nil
}

// validateAssumeRole checks the request's constraints and reports every
// broken one as STS does: "N validation error(s) detected: A; B"
// (wording as STS returns it, e.g. getmoto/moto#9218 and
// zalando-stups/aws-credentials-service#7).
func validateAssumeRole(roleARN, sessionName string, durationSeconds *int) error {
	var problems []string
	add := func(value *string, member, constraint string) {
		v := "null"
		if value != nil {
			v = "'" + *value + "'"
		}
		problems = append(problems, fmt.Sprintf("Value %s at '%s' failed to satisfy constraint: Member must %s", v, member, constraint))
	}
	switch n := len(roleARN); {
	case n == 0:
		add(nil, "roleArn", "not be null")
	case n < 20:
		add(&roleARN, "roleArn", "have length greater than or equal to 20")
	case n > 2048:
		add(&roleARN, "roleArn", "have length less than or equal to 2048")
	}
	switch n := len(sessionName); {
	case n == 0:
		add(nil, "roleSessionName", "not be null")
	case !sessionNameRE.MatchString(sessionName):
		add(&sessionName, "roleSessionName", "satisfy regular expression pattern: "+sessionNamePattern)
	case n < 2:
		add(&sessionName, "roleSessionName", "have length greater than or equal to 2")
	case n > 64:
		add(&sessionName, "roleSessionName", "have length less than or equal to 64")
	}
	if durationSeconds != nil {
		d := *durationSeconds
		v := strconv.Itoa(d)
		switch {
		case d < minDuration:
			add(&v, "durationSeconds", "have value greater than or equal to 900")
		case d > maxDuration:
			add(&v, "durationSeconds", "have value less than or equal to 43200")
		}
	}
	switch len(problems) {
	case 0:
		return nil
	case 1:
		return awsproto.NewError("ValidationError", http.StatusBadRequest, "1 validation error detected: "+problems[0])
	}
	return awsproto.Errorf("ValidationError", http.StatusBadRequest, "%d validation errors detected: %s",
		len(problems), strings.Join(problems, "; "))
}

// credentialsXML is STS's Credentials element; Expiration is ISO 8601.
type credentialsXML struct {
	AccessKeyID     string `xml:"AccessKeyId"`
	SecretAccessKey string `xml:"SecretAccessKey"`
	SessionToken    string `xml:"SessionToken"`
	Expiration      string `xml:"Expiration"`
}

type assumedRoleUser struct {
	AssumedRoleID string `xml:"AssumedRoleId"`
	Arn           string `xml:"Arn"`
}

type assumeRoleResult struct {
	Credentials     credentialsXML  `xml:"Credentials"`
	AssumedRoleUser assumedRoleUser `xml:"AssumedRoleUser"`
}

func (s *Service) assumeRoleQuery(ctx context.Context, params url.Values) (any, error) {
	var duration *int
	if d := params.Get("DurationSeconds"); d != "" {
		n, err := strconv.Atoi(d)
		if err != nil {
			return nil, awsproto.Errorf("ValidationError", http.StatusBadRequest,
				"1 validation error detected: Value '%s' at 'durationSeconds' failed to satisfy constraint: Member must be an integer", d)
		}
		duration = &n
	}
	out, err := s.assumeRole(ctx, params.Get("RoleArn"), params.Get("RoleSessionName"), duration)
	if err != nil {
		return nil, err
	}
	c := out.Credentials
	return assumeRoleResult{
		Credentials: credentialsXML{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey,
			SessionToken: c.SessionToken, Expiration: c.Expiration.UTC().Format(time.RFC3339)},
		AssumedRoleUser: assumedRoleUser{AssumedRoleID: out.AssumedRoleID, Arn: out.AssumedRoleARN},
	}, nil
}
