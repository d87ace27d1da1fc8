package diagnose_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/tracebridge/tracebridge/testharness"
	"github.com/tracebridge/tracebridge/testharness/diagnose"
	orderflowsuite "github.com/tracebridge/tracebridge/testharness/examples/orderflow/suite"
	"github.com/tracebridge/tracebridge/testharness/suite"
)

// Every test of the suite sets its trigger, and on a healthy stack the
// static diagnosis of each finds nothing broken.
func TestHealthyStackHasNothingBroken(t *testing.T) {
	a := deployApp(t)
	ctx := context.Background()
	for _, test := range suite.Tests() {
		run, err := test.Act(ctx, a.env)
		if err != nil {
			t.Fatalf("%s: act: %v", test.Name, err)
		}
		if run.Trigger == nil {
			t.Fatalf("%s: the act sets no trigger", test.Name)
		}
		r, err := a.d.Static(ctx, *run.Trigger)
		if err != nil {
			t.Fatalf("%s: %v", test.Name, err)
		}
		if r.Broken != nil || len(r.Path) < 3 {
			t.Errorf("%s: %s", test.Name, r)
		}
		t.Logf("%s: %s", test.Name, r)
	}
}

// The await function runs the diagnosis with its own role: the grants the
// harness construct gives it (cdkharness.Glue) let every read through, for
// every test's trigger, evidence included: none is left unchecked.
func TestAwaitFunctionRoleMayRunTheDiagnosis(t *testing.T) {
	a := deployApp(t)
	a.diagnoseAsAwaitRole(t, suite.Tests())
}

// So for the order flow example's queue, mappings and function roles.
func TestOrderFlowAwaitFunctionRoleMayRunTheDiagnosis(t *testing.T) {
	a := deployOrderFlow(t)
	a.diagnoseAsAwaitRole(t, orderflowsuite.Tests())
}

func (a *app) diagnoseAsAwaitRole(t *testing.T, tests []testharness.Test) {
	t.Helper()
	ctx := context.Background()
	d := a.awaitRoleDiagnoser(t)
	for _, test := range tests {
		run, err := test.Act(ctx, a.env)
		if err != nil {
			t.Fatalf("%s: act: %v", test.Name, err)
		}
		r, err := d.Full(ctx, *run.Trigger, run.CorrelationID)
		if err != nil || unchecked(r) != "" {
			t.Errorf("%s: the await function's role cannot diagnose: %v (%s)", test.Name, err, r)
		}
	}
}

// awaitRoleDiagnoser diagnoses with a session of the await function's
// role, as the await function does.
func (a *app) awaitRoleDiagnoser(t *testing.T) *diagnose.Diagnoser {
	t.Helper()
	ctx := context.Background()
	role, err := iam.NewFromConfig(a.cfg).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(a.physicalID(t, "HarnessAwaitRole"))})
	if err != nil {
		t.Fatal(err)
	}
	session, err := sts.NewFromConfig(a.cfg).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: role.Role.Arn, RoleSessionName: aws.String("diagnosis")})
	if err != nil {
		t.Fatal(err)
	}
	cfg := a.cfg.Copy()
	cfg.Credentials = credentials.NewStaticCredentialsProvider(aws.ToString(session.Credentials.AccessKeyId),
		aws.ToString(session.Credentials.SecretAccessKey), aws.ToString(session.Credentials.SessionToken))
	return diagnose.New(cfg)
}
