package localcloud_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/tracebridge/tracebridge/testharness"
	"github.com/tracebridge/tracebridge/testharness/diagnose"
	"github.com/tracebridge/tracebridge/testharness/internal/iamgrant"
	"github.com/tracebridge/tracebridge/testharness/localcloud/internal/awstest"
	"github.com/tracebridge/tracebridge/testharness/suite"
)

// The await function's diagnosis grants (cdkharness.Glue): each
// is a read the diagnosis of a suite test's flow makes. Without it, the
// diagnosis run as the await function's role leaves a link unchecked (or
// fails, when nothing could be checked) on AWS's AccessDenied for that
// action. The grants only an app with SQS-triggered functions gets are
// shown needed on the order flow example, by the diagnose package's
// TestEveryQueueDiagnosisGrantIsNeeded.
func init() {
	for _, sid := range []string{"ReadBucketNotifications", "ReadObjectHeads", "MatchRules", "ReadRuleTargets",
		"ReadFunctionGlue", "ReadFunctionErrors", "SimulatePipeRole", "ListPipes", "DescribePipe", "ReadTableStream",
		"PeekDeadLetters"} {
		iamFlows["testawait/"+sid] = appFlow(diagnosisDenied)
	}
}

// diagnosisDenied runs the full diagnosis of every suite test's flow as the
// await function's role, on the app deployed without g, with a message in
// every queue (the dead-letter queues: the diagnosis peeks at what they
// hold and releases it).
func diagnosisDenied(t *testing.T, a *app, g iamgrant.Grant) {
	ctx := context.Background()
	cfg := a.cfg.Copy()
	cfg.Credentials = awstest.Static(a.cloud.Identities().AssumeRole(a.stackRoleARN(t, "testawait"), "diagnosis", time.Now(), time.Hour))
	env := testharness.NewEnv(a.cfg, a.stack.Outputs)
	deadLetterEveryQueue(t, sqs.NewFromConfig(a.cfg))
	d := diagnose.New(cfg)
	var others []string
	for _, test := range suite.Tests() {
		run, err := test.Act(ctx, env)
		if err != nil {
			t.Fatalf("%s: act: %v", test.Name, err)
		}
		r, err := d.Full(ctx, *run.Trigger, run.CorrelationID)
		denied, couldNot := iamgrant.DiagnosisDenied(r, err, g.Action)
		if denied {
			return
		}
		others = append(others, couldNot...)
	}
	t.Errorf("without %s, no diagnosis was denied %s; the diagnoses' errors and unchecked links: %v", g, g.Action, others)
}

// deadLetterEveryQueue puts a message in every queue of the app.
func deadLetterEveryQueue(t *testing.T, client *sqs.Client) {
	t.Helper()
	ctx := context.Background()
	queues, err := client.ListQueues(ctx, &sqs.ListQueuesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(queues.QueueUrls) == 0 {
		t.Fatal("the app has no queue to dead-letter into")
	}
	for _, url := range queues.QueueUrls {
		if _, err := client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(`{"deadLettered":true}`)}); err != nil {
			t.Fatal(err)
		}
	}
}
