package localcloud_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tracebridge/tracebridge/testharness"
	"github.com/tracebridge/tracebridge/testharness/diagnose"
	"github.com/tracebridge/tracebridge/testharness/localcloud/internal/awstest"
	"github.com/tracebridge/tracebridge/testharness/suite"
)

// The await function's diagnosis grants (cdkharness.Glue): each
// is a read the diagnosis of a suite test's flow makes. Without it, the
// diagnosis run as the await function's role leaves a link unchecked (or
// fails, when nothing could be checked) on AWS's AccessDenied for that
// action.
func init() {
	for _, sid := range []string{"ReadBucketNotifications", "ReadObjectHeads", "MatchRules", "ReadRuleTargets",
		"ReadFunctionGlue", "ReadFunctionErrors", "SimulatePipeRole", "ListPipes", "DescribePipe", "ReadTableStream",
		"PeekDeadLetters"} {
		iamFlows["testawait/"+sid] = appFlow(diagnosisDenied)
	}
}

// diagnosisDenied runs the full diagnosis of every suite test's flow as the
// await function's role, on the app deployed without g.
func diagnosisDenied(t *testing.T, a *app, g grant) {
	ctx := context.Background()
	cfg := a.cfg.Copy()
	cfg.Credentials = awstest.Static(a.cloud.Identities().AssumeRole(a.stackRoleARN(t, "testawait"), "diagnosis", time.Now(), time.Hour))
	env := testharness.NewEnv(a.cfg, a.stack.Outputs)
	d := diagnose.New(cfg)
	var denials []string
	for _, test := range suite.Tests() {
		run, err := test.Act(ctx, env)
		if err != nil {
			t.Fatalf("%s: act: %v", test.Name, err)
		}
		r, err := d.Full(ctx, *run.Trigger, run.CorrelationID)
		if err != nil {
			denials = append(denials, err.Error())
		}
		for _, f := range r.Path {
			if f.Unchecked != nil {
				denials = append(denials, f.Detail)
			}
		}
	}
	want := "is not authorized to perform: " + g.action
	for _, d := range denials {
		if strings.Contains(d, want) {
			return
		}
	}
	t.Errorf("without %s, no diagnosis was denied %s; the diagnoses' errors and unchecked links: %v", g, g.action, denials)
}
