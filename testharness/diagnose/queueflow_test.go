package diagnose_test

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/tracebridge/tracebridge/testharness"
	"github.com/tracebridge/tracebridge/testharness/diagnose"
	"github.com/tracebridge/tracebridge/testharness/examples/orderflow/orders"
	"github.com/tracebridge/tracebridge/testharness/examples/orderflow/suite"
	"github.com/tracebridge/tracebridge/testharness/internal/assemblyedit"
	"github.com/tracebridge/tracebridge/testharness/synth"
)

// These tests deploy the order flow example (an SQS queue read by the
// worker through an event source mapping, with a redrive policy to a
// dead-letter queue that the dead-letter function reads), break one link
// through the AWS APIs, act with the example suite's own acts, and check
// that the diagnosis of the message names exactly that link.

var orderFlowSynth struct {
	once sync.Once
	err  error
}

// deployOrderFlow deploys the order flow example without its test run.
func deployOrderFlow(t *testing.T) *app {
	t.Helper()
	return deployAssembly(t, orderFlowAssembly(t))
}

// orderFlowAssembly synthesizes the example for the local cloud (once, and
// only when its sources changed) and returns a copy of its assembly
// without its test run.
func orderFlowAssembly(t *testing.T) string {
	t.Helper()
	orderFlowSynth.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		local, err := synth.EnsureLocal(ctx, filepath.Join(moduleRoot, "testharness", "examples", "orderflow"), os.Stderr)
		if err == nil {
			err = assemblyedit.CopyTo(local, orderFlowAssemblyDir, withoutTestRun)
		}
		orderFlowSynth.err = err
	})
	if orderFlowSynth.err != nil {
		t.Fatalf("the order flow example: %v", orderFlowSynth.err)
	}
	return orderFlowAssemblyDir
}

// act runs the act of the example suite's test named name.
func (a *app) act(t *testing.T, name string) testharness.Run {
	t.Helper()
	for _, test := range suite.Tests() {
		if test.Name != name {
			continue
		}
		run, err := test.Act(context.Background(), a.env)
		if err != nil {
			t.Fatalf("%s: act: %v", name, err)
		}
		if run.Trigger == nil || run.Trigger.SQSMessage == nil || run.Trigger.SQSMessage.MessageID == "" {
			t.Fatalf("%s: the act names no sent message as its trigger: %+v", name, run.Trigger)
		}
		return run
	}
	t.Fatalf("the example suite has no test %s", name)
	return testharness.Run{}
}

// queueARN is the ARN of the queue at url.
func (a *app) queueARN(t *testing.T, url string) string {
	t.Helper()
	out, err := sqs.NewFromConfig(a.cfg).GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(url), AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll}})
	if err != nil {
		t.Fatal(err)
	}
	return out.Attributes[string(sqstypes.QueueAttributeNameQueueArn)]
}

// mapping is the one event source mapping that reads a queue.
func (a *app) mapping(t *testing.T, queueARN string) lambdatypes.EventSourceMappingConfiguration {
	t.Helper()
	out, err := lambda.NewFromConfig(a.cfg).ListEventSourceMappings(context.Background(), &lambda.ListEventSourceMappingsInput{EventSourceArn: aws.String(queueARN)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.EventSourceMappings) != 1 {
		t.Fatalf("mappings of %s: %d, want 1", queueARN, len(out.EventSourceMappings))
	}
	return out.EventSourceMappings[0]
}

// workerMapping is the mapping from the orders queue to the worker.
func (a *app) workerMapping(t *testing.T) (queueARN string, m lambdatypes.EventSourceMappingConfiguration) {
	t.Helper()
	queueARN = a.queueARN(t, a.output(t, orders.OutputQueueURL))
	return queueARN, a.mapping(t, queueARN)
}

func name(arn string) string { return arn[strings.LastIndexAny(arn, ":/")+1:] }

func TestQueueWithoutMappingIsNamed(t *testing.T) {
	a := deployOrderFlow(t)
	queue, m := a.workerMapping(t)
	if _, err := lambda.NewFromConfig(a.cfg).DeleteEventSourceMapping(context.Background(), &lambda.DeleteEventSourceMappingInput{UUID: m.UUID}); err != nil {
		t.Fatal(err)
	}
	run := a.act(t, "order_fulfilled")
	r, err := a.d.Static(context.Background(), *run.Trigger)
	expectBroken(t, r, err, "event source mapping", "no function reads queue "+name(queue)+": it has no event source mapping")
}

func TestDisabledMappingIsNamed(t *testing.T) {
	a := deployOrderFlow(t)
	queue, m := a.workerMapping(t)
	_, err := lambda.NewFromConfig(a.cfg).UpdateEventSourceMapping(context.Background(), &lambda.UpdateEventSourceMappingInput{UUID: m.UUID, Enabled: aws.Bool(false)})
	if err != nil {
		t.Fatal(err)
	}
	run := a.act(t, "order_fulfilled")
	r, err := a.d.Static(context.Background(), *run.Trigger)
	expectBroken(t, r, err, "event source mapping",
		"event source mapping "+aws.ToString(m.UUID)+" (queue "+name(queue)+" → function "+name(aws.ToString(m.FunctionArn))+") is Disabled", ": it does not read the queue")
}

func TestMappingFilterNamesTheRejectedField(t *testing.T) {
	a := deployOrderFlow(t)
	_, m := a.workerMapping(t)
	a.setWorkerFilter(t, m, `{"body":{"orderId":[{"prefix":"VIP-"}]}}`)
	run := a.act(t, "order_fulfilled")
	r, err := a.d.Static(context.Background(), *run.Trigger)
	expectBroken(t, r, err, "mapping filter",
		"event source mapping "+aws.ToString(m.UUID)+" (", "'s filter drops the message: body.orderId is \""+run.State["order"]+`", the filter wants [{"prefix":"VIP-"}]`)
}

func TestMappingFunctionRoleWithoutReceiveIsNamed(t *testing.T) {
	a := deployOrderFlow(t)
	ctx := context.Background()
	queue, m := a.workerMapping(t)
	fn, err := lambda.NewFromConfig(a.cfg).GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: m.FunctionArn})
	if err != nil {
		t.Fatal(err)
	}
	role := aws.ToString(fn.Role)
	withoutAction(t, a, name(role), "sqs:ReceiveMessage")
	run := a.act(t, "order_fulfilled")
	r, err := a.d.Static(ctx, *run.Trigger)
	expectBroken(t, r, err, "role", role+" is not authorized to perform: sqs:ReceiveMessage on resource: "+queue+
		" because no identity-based policy allows the sqs:ReceiveMessage action")
}

// withoutAction takes an action out of every inline policy of a role.
func withoutAction(t *testing.T, a *app, role, action string) {
	t.Helper()
	ctx := context.Background()
	client := iam.NewFromConfig(a.cfg)
	names, err := client.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String(role)})
	if err != nil {
		t.Fatal(err)
	}
	removed := false
	for _, policy := range names.PolicyNames {
		got, err := client.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String(policy)})
		if err != nil {
			t.Fatal(err)
		}
		doc, err := url.QueryUnescape(aws.ToString(got.PolicyDocument)) // IAM answers it URL-encoded
		if err != nil {
			t.Fatal(err)
		}
		edited := strings.ReplaceAll(doc, `"`+action+`",`, "")
		if edited == doc {
			continue
		}
		removed = true
		if _, err := client.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String(policy), PolicyDocument: aws.String(edited)}); err != nil {
			t.Fatal(err)
		}
	}
	if !removed {
		t.Fatalf("no inline policy of %s lists %s before another action", role, action)
	}
}

// With no function reading the dead-letter queue, the bad order stays in
// it after the worker failed on it twice: Full names the redrive, and the
// worker's logged error on the message, which is what a person fixes.
func TestMessageInTheRedriveDeadLetterQueueIsNamed(t *testing.T) {
	a := deployOrderFlow(t)
	ctx := context.Background()
	queue, m := a.workerMapping(t)
	dlqARN := "" // the only other queue a mapping reads
	for _, other := range a.mappingsOf(t) {
		if aws.ToString(other.EventSourceArn) != queue {
			dlqARN = aws.ToString(other.EventSourceArn)
			if _, err := lambda.NewFromConfig(a.cfg).DeleteEventSourceMapping(ctx, &lambda.DeleteEventSourceMappingInput{UUID: other.UUID}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if dlqARN == "" {
		t.Fatal("no mapping reads the dead-letter queue")
	}
	run := a.act(t, "bad_order_dead_lettered")
	if err := a.cloud.WaitSettled(ctx, time.Time{}); err != nil {
		t.Fatal(err)
	}
	r, err := a.d.Full(ctx, *run.Trigger, run.CorrelationID)
	expectBroken(t, r, err, "dead-letter queue", "queue "+name(queue)+" moved the message "+run.Trigger.SQSMessage.MessageID+" to its dead-letter queue "+name(dlqARN)+
		" after it was received 2 times (maxReceiveCount) without being deleted: function "+name(aws.ToString(m.FunctionArn))+
		", which reads it through event source mapping "+aws.ToString(m.UUID)+", did not succeed on it; function "+name(aws.ToString(m.FunctionArn))+
		" failed on the event: ", "order not accepted", "quantity 0 is not positive")
}

// mappingsOf lists every event source mapping of the stack.
func (a *app) mappingsOf(t *testing.T) []lambdatypes.EventSourceMappingConfiguration {
	t.Helper()
	out, err := lambda.NewFromConfig(a.cfg).ListEventSourceMappings(context.Background(), &lambda.ListEventSourceMappingsInput{})
	if err != nil {
		t.Fatal(err)
	}
	return out.EventSourceMappings
}

// On the healthy example every act names its message, and every link of
// its flow checks out: statically for each, and with what happened for
// the orders the workflow takes.
func TestHealthyOrderFlowHasNothingBroken(t *testing.T) {
	a := deployOrderFlow(t)
	ctx := context.Background()
	var runs []testharness.Run
	for _, test := range suite.Tests() {
		run := a.act(t, test.Name)
		r, err := a.d.Static(ctx, *run.Trigger)
		if err != nil || r.Broken != nil || unchecked(r) != "" || len(r.Path) < 4 {
			t.Errorf("%s: %v %s", test.Name, err, r)
		}
		t.Logf("%s: %s", test.Name, r)
		if test.Name != "bad_order_dead_lettered" { // the worker fails on it, as it should
			runs = append(runs, run)
		}
	}
	if err := a.cloud.WaitSettled(ctx, time.Time{}); err != nil {
		t.Fatal(err)
	}
	for _, run := range runs {
		r, err := a.d.Full(ctx, *run.Trigger, run.CorrelationID)
		if err != nil || r.Broken != nil || unchecked(r) != "" {
			t.Errorf("%s after the flow: %v %s", run.CorrelationID, err, r)
		}
	}
}

// unchecked lists the links a report could not check.
func unchecked(r diagnose.Report) string {
	var out []string
	for _, f := range r.Path {
		if f.Unchecked != nil {
			out = append(out, f.Detail)
		}
	}
	return strings.Join(out, "; ")
}
