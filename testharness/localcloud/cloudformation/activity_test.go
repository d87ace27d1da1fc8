package cloudformation

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"github.com/tracebridge/tracebridge/testharness/localcloud/activity"
	"github.com/tracebridge/tracebridge/testharness/localcloud/cfnresource"
)

// A stack operation the API answered at once is work in progress until it
// ends, except while it waits for a custom resource's response: then the
// provider (tracked on its own in a cloud) is what the cloud waits for,
// and the cloud can settle — the deploy-time test run settles this way.
func TestStackOperationIsWorkInProgressButItsCustomResourceWaitIsNot(t *testing.T) {
	inv := newInvoker(t, func(customRequest) *customResponse { return nil })
	var tr *activity.Tracker
	gate := gatedProvisioner{make(chan struct{})}
	h := newHarness(t, func(o *Options) {
		o.Invoker = inv
		tr = activity.New(o.Clock)
		o.Activity = tr
		o.Provisioners["Test::Thing"] = gate // "Before", which "Run" depends on
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := h.cfn.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("Custom"), TemplateBody: aws.String(customTemplate("a"))}); err != nil {
		t.Fatal(err)
	}
	if pending := tr.Pending(activity.Settle{Until: h.clk.Now().Add(time.Minute)}); len(pending) == 0 {
		t.Fatal("CreateStack answered and nothing is in progress while its first resource is being created")
	}
	close(gate.release)
	// Settled for the next minute only once the operation waits for the
	// custom resource (its timeout, an hour away, does not count).
	if err := tr.WaitSettled(ctx, activity.Settle{Until: h.clk.Now().Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	var req customRequest
	select {
	case req = <-inv.requests:
	default:
		t.Fatal("the cloud settled before CloudFormation invoked the custom resource: the stack operation is not tracked")
	}
	body, _ := json.Marshal(customResponse{Status: "SUCCESS", PhysicalResourceID: "run-1", RequestID: req.RequestID,
		StackID: req.StackID, LogicalResourceID: req.LogicalResourceID, Data: map[string]any{"Answer": "42"}})
	put, _ := http.NewRequestWithContext(ctx, http.MethodPut, req.ResponseURL, bytes.NewReader(body))
	res, err := http.DefaultClient.Do(put)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if got := h.waitStack(t, "Custom"); got.StackStatus != types.StackStatusCreateComplete {
		t.Fatalf("stack %s: %s", got.StackStatus, aws.ToString(got.StackStatusReason))
	}
	if err := tr.WaitSettled(ctx, activity.Settle{}); err != nil {
		t.Fatalf("after the stack was created: %v", err)
	}
}

// gatedProvisioner creates a resource once release is closed.
type gatedProvisioner struct{ release chan struct{} }

func (g gatedProvisioner) Create(ctx context.Context, req cfnresource.Request) (cfnresource.Resource, error) {
	select {
	case <-g.release:
		return cfnresource.Resource{PhysicalID: req.LogicalID}, nil
	case <-ctx.Done():
		return cfnresource.Resource{}, ctx.Err()
	}
}

func (gatedProvisioner) Delete(context.Context, cfnresource.Request, cfnresource.Resource) error {
	return nil
}
