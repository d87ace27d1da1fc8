package sts_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/tracebridge/tracebridge/testharness/localcloud/identity"
	"github.com/tracebridge/tracebridge/testharness/localcloud/sts"
)

func TestGetCallerIdentityAsRoot(t *testing.T) {
	e := newEnv(t)
	out, err := e.client.GetCallerIdentity(context.Background(), &awssts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity: %v", err)
	}
	if aws.ToString(out.Account) != "000000000000" || aws.ToString(out.Arn) != "arn:aws:iam::000000000000:root" ||
		aws.ToString(out.UserId) != "000000000000" {
		t.Errorf("root identity = %s %s %s", aws.ToString(out.Account), aws.ToString(out.Arn), aws.ToString(out.UserId))
	}
}

func TestAssumeRoleCredentialsActAsTheSession(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	out, err := e.client.AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: aws.String(appRole), RoleSessionName: aws.String("resize-fn")})
	if err != nil {
		t.Fatalf("AssumeRole: %v", err)
	}
	c := credentialsOf(out)
	roleID := sts.RoleID(appRole)
	if !strings.HasPrefix(c.AccessKeyID, "ASIA") || c.SecretAccessKey == "" || c.SessionToken == "" ||
		!c.Expiration.Equal(start.Add(time.Hour)) {
		t.Errorf("credentials = %+v", c)
	}
	if len(roleID) != 21 || !strings.HasPrefix(roleID, "AROA") {
		t.Errorf("RoleID = %q", roleID)
	}
	if aws.ToString(out.AssumedRoleUser.Arn) != "arn:aws:sts::000000000000:assumed-role/AppFunctionRole/resize-fn" ||
		aws.ToString(out.AssumedRoleUser.AssumedRoleId) != roleID+":resize-fn" {
		t.Errorf("AssumedRoleUser = %s %s", aws.ToString(out.AssumedRoleUser.Arn), aws.ToString(out.AssumedRoleUser.AssumedRoleId))
	}

	who, err := e.as(c).GetCallerIdentity(ctx, &awssts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity as the session: %v", err)
	}
	if aws.ToString(who.Arn) != aws.ToString(out.AssumedRoleUser.Arn) || aws.ToString(who.UserId) != roleID+":resize-fn" ||
		aws.ToString(who.Account) != "000000000000" {
		t.Errorf("session identity = %s %s %s", aws.ToString(who.Arn), aws.ToString(who.UserId), aws.ToString(who.Account))
	}

	// Another session of the same role shows the same role id; a role with a
	// path is named by its last segment.
	again, err := e.client.AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: aws.String(appRole), RoleSessionName: aws.String("other"), DurationSeconds: aws.Int32(900)})
	if err != nil || aws.ToString(again.AssumedRoleUser.AssumedRoleId) != roleID+":other" || !again.Credentials.Expiration.Equal(start.Add(15*time.Minute)) {
		t.Fatalf("second session: %+v %v", again, err)
	}
	piped, err := e.client.AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: aws.String(servicePath), RoleSessionName: aws.String("pipe"), DurationSeconds: aws.Int32(43200)})
	if err != nil || aws.ToString(piped.AssumedRoleUser.Arn) != "arn:aws:sts::000000000000:assumed-role/PipeRole/pipe" ||
		sts.RoleID(servicePath) == roleID || !piped.Credentials.Expiration.Equal(start.Add(12*time.Hour)) {
		t.Fatalf("role with a path: %+v %v", piped, err)
	}
}

func TestAssumeRoleValidation(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	long := strings.Repeat("s", 65)
	for _, c := range []struct {
		name    string
		in      awssts.AssumeRoleInput
		message string
	}{
		{"short session name", awssts.AssumeRoleInput{RoleSessionName: aws.String("a")},
			"1 validation error detected: Value 'a' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2"},
		{"long session name", awssts.AssumeRoleInput{RoleSessionName: aws.String(long)},
			"1 validation error detected: Value '" + long + "' at 'roleSessionName' failed to satisfy constraint: Member must have length less than or equal to 64"},
		{"session name pattern", awssts.AssumeRoleInput{RoleSessionName: aws.String("dependabot[bot]")},
			`1 validation error detected: Value 'dependabot[bot]' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]*`},
		{"duration too short", awssts.AssumeRoleInput{RoleSessionName: aws.String("ok"), DurationSeconds: aws.Int32(899)},
			"1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"},
		{"duration too long", awssts.AssumeRoleInput{RoleSessionName: aws.String("ok"), DurationSeconds: aws.Int32(43201)},
			"1 validation error detected: Value '43201' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200"},
		{"explicit zero duration", awssts.AssumeRoleInput{RoleSessionName: aws.String("ok"), DurationSeconds: aws.Int32(0)},
			"1 validation error detected: Value '0' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"},
		{"two problems", awssts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::1:role"), RoleSessionName: aws.String("a b")},
			"2 validation errors detected: Value 'arn:aws:iam::1:role' at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20; " +
				`Value 'a b' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]*`},
	} {
		in := c.in
		if in.RoleArn == nil {
			in.RoleArn = aws.String(appRole)
		}
		_, err := e.client.AssumeRole(ctx, &in)
		t.Run(c.name, func(t *testing.T) { wantError(t, err, "ValidationError", c.message, http.StatusBadRequest) })
	}
	// Required members the SDK would not send, through the Go API.
	_, err := e.svc.AssumeRole(ctx, sts.AssumeRoleInput{})
	if err == nil || !strings.Contains(err.Error(), "2 validation errors detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null; Value null at 'roleSessionName'") {
		t.Errorf("empty AssumeRole: %v", err)
	}
}

func TestAssumeRoleOfUnknownRoleIsDenied(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	missing := "arn:aws:iam::000000000000:role/Nope"
	_, err := e.client.AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: aws.String(missing), RoleSessionName: aws.String("s1")})
	wantError(t, err, "AccessDenied", "User: arn:aws:iam::000000000000:root is not authorized to perform: sts:AssumeRole on resource: "+missing, http.StatusForbidden)

	out, err := e.client.AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: aws.String(appRole), RoleSessionName: aws.String("fn")})
	if err != nil {
		t.Fatal(err)
	}
	session := e.as(credentialsOf(out))
	_, err = session.AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: aws.String(missing), RoleSessionName: aws.String("s2")})
	wantError(t, err, "AccessDenied", "User: arn:aws:sts::000000000000:assumed-role/AppFunctionRole/fn is not authorized to perform: sts:AssumeRole on resource: "+missing, http.StatusForbidden)

	// Without a role lookup no role exists.
	none := sts.New(sts.Options{Identities: identity.NewStore()})
	if _, err := none.AssumeRole(ctx, sts.AssumeRoleInput{RoleARN: appRole, SessionName: "s3"}); err == nil || !strings.Contains(err.Error(), "AccessDenied") {
		t.Errorf("AssumeRole without a RoleLookup: %v", err)
	}
}

func TestRoleChainingIsLimitedToOneHour(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	out, err := e.client.AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: aws.String(appRole), RoleSessionName: aws.String("first"), DurationSeconds: aws.Int32(7200)})
	if err != nil {
		t.Fatal(err)
	}
	session := e.as(credentialsOf(out))
	_, err = session.AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: aws.String(servicePath), RoleSessionName: aws.String("chained"), DurationSeconds: aws.Int32(7200)})
	wantError(t, err, "ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.", http.StatusBadRequest)
	chained, err := session.AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: aws.String(servicePath), RoleSessionName: aws.String("chained")})
	if err != nil {
		t.Fatalf("chained AssumeRole within an hour: %v", err)
	}
	who, err := e.as(credentialsOf(chained)).GetCallerIdentity(ctx, &awssts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(who.Arn) != "arn:aws:sts::000000000000:assumed-role/PipeRole/chained" {
		t.Fatalf("chained session identity: %v %v", aws.ToString(who.Arn), err)
	}
}

func TestUnsupportedActionsAreInvalid(t *testing.T) {
	e := newEnv(t)
	_, err := e.client.GetSessionToken(context.Background(), &awssts.GetSessionTokenInput{})
	wantError(t, err, "InvalidAction", "The action GetSessionToken is not valid for this web service.", http.StatusBadRequest)
}
