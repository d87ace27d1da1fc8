package diagnose_test

import (
	"context"
	"testing"

	"github.com/tracebridge/tracebridge/testharness"
	"github.com/tracebridge/tracebridge/testharness/examples/orderflow/suite"
	"github.com/tracebridge/tracebridge/testharness/internal/assemblyedit"
	"github.com/tracebridge/tracebridge/testharness/internal/iamgrant"
)

// awaitOwner is the await function's package name, which names its role
// among the template's grants (iamgrant.RoleOwners).
const awaitOwner = "testawait"

// The await function's diagnosis grants that only an app with
// SQS-triggered functions gets (cdkharness.Glue.Queues and
// FunctionRoles) are those of the example's await role that the app's
// await role lacks; the app's are each shown needed by the local cloud's
// TestEveryRoleStatementIsNeeded. Each action of them is a read the
// diagnosis of an order flow test makes: deployed without it, the
// diagnosis run as the await role leaves a link unchecked on AWS's
// AccessDenied for that action. A grant added without such a read fails
// here.
func TestEveryQueueDiagnosisGrantIsNeeded(t *testing.T) {
	dir := orderFlowAssembly(t)
	granted := map[string]bool{}
	for _, g := range awaitGrants(t, appAssemblyDir) {
		granted[g.Sid+"/"+g.Action] = true
	}
	shown := 0
	for _, g := range awaitGrants(t, dir) {
		if granted[g.Sid+"/"+g.Action] {
			continue
		}
		shown++
		t.Run(g.String(), func(t *testing.T) {
			t.Parallel()
			a := deployAssembly(t, assemblyedit.Copy(t, dir, func(tmpl assemblyedit.Template) { iamgrant.Remove(t, tmpl, g) }))
			queueDiagnosisDenied(t, a, g)
		})
	}
	if shown == 0 {
		t.Fatal("the example's await role is granted nothing the app's is not: cdkharness.Glue.Queues and FunctionRoles grant nothing")
	}
}

// awaitGrants are the grants of the await function's role in the
// assembly in dir.
func awaitGrants(t *testing.T, dir string) []iamgrant.Grant {
	t.Helper()
	var out []iamgrant.Grant
	for _, g := range iamgrant.List(t, assemblyedit.Read(t, dir)) {
		if g.Owner == awaitOwner {
			out = append(out, g)
		}
	}
	if len(out) == 0 {
		t.Fatalf("the template in %s grants the await function's role nothing", dir)
	}
	return out
}

// queueDiagnosisDenied acts each test of the example's suite and runs the
// full diagnosis of its message as the await function's role, with the
// queue named as the act names it (its URL) and by its ARN, as a trigger
// may name it (testharness.SQSMessageTrigger): by ARN, the diagnosis asks
// SQS for the queue's URL.
func queueDiagnosisDenied(t *testing.T, a *app, g iamgrant.Grant) {
	ctx := context.Background()
	d := a.awaitRoleDiagnoser(t)
	var others []string
	for _, test := range suite.Tests() {
		run := a.act(t, test.Name)
		byARN := *run.Trigger
		message := *byARN.SQSMessage
		message.Queue = a.queueARN(t, message.Queue)
		byARN.SQSMessage = &message
		for _, trigger := range []testharness.Trigger{*run.Trigger, byARN} {
			r, err := d.Full(ctx, trigger, run.CorrelationID)
			denied, couldNot := iamgrant.DiagnosisDenied(r, err, g.Action)
			if denied {
				return
			}
			others = append(others, couldNot...)
		}
	}
	t.Errorf("without %s, no diagnosis was denied %s; the diagnoses' errors and unchecked links: %v", g, g.Action, others)
}
