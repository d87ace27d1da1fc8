package cloudformation

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
)

// templateObjects is a fake S3 holding templates by "bucket/key".
type templateObjects map[string]string

func (o templateObjects) GetTemplate(_ context.Context, bucket, key string) ([]byte, error) {
	body, ok := o[bucket+"/"+key]
	if !ok {
		return nil, awsproto.NewError("NoSuchKey", 404, "The specified key does not exist.")
	}
	return []byte(body), nil
}

func thing(v int) string {
	return fmt.Sprintf(`{"Resources": {"A": {"Type": "Test::Thing", "Properties": {"V": %d}}}}`, v)
}

func TestUpdateStackThroughTheSDK(t *testing.T) {
	h := newHarness(t, func(o *Options) {
		o.Templates = templateObjects{"templates/v3.json": thing(3)}
	})
	ctx := context.Background()
	if _, err := h.deploy(t, "Api", thing(1)); err != nil {
		t.Fatal(err)
	}
	if _, err := h.cfn.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: aws.String("Api"), TemplateBody: aws.String(thing(2))}); err != nil {
		t.Fatalf("UpdateStack: %v", err)
	}
	if s := h.waitStack(t, "Api"); s.StackStatus != types.StackStatusUpdateComplete {
		t.Fatalf("after UpdateStack: %s", s.StackStatus)
	}
	if v := h.rec.request("A").Properties["V"]; fmt.Sprint(v) != "2" {
		t.Errorf("A updated to V=%v", v)
	}
	_, err := h.cfn.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: aws.String("Api"), UsePreviousTemplate: aws.Bool(true)})
	if err == nil || !strings.Contains(err.Error(), "No updates are to be performed.") {
		t.Errorf("UpdateStack without changes: %v", err)
	}
	tooLong := `{"Description": "` + strings.Repeat("x", maxTemplateBodyBytes) + `", "Resources": {"A": {"Type": "Test::Thing"}}}`
	_, err = h.cfn.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: aws.String("Api"), TemplateBody: aws.String(tooLong)})
	if err == nil || !strings.Contains(err.Error(), "at 'templateBody' failed to satisfy constraint: Member must have length less than or equal to 51200") {
		t.Errorf("UpdateStack with a 51 KB body: %v", err)
	}
	for _, u := range []string{"http://" + strings.TrimPrefix(h.url, "http://") + "/templates/v3.json", "https://templates.s3.us-east-1.amazonaws.com/v3.json"} {
		if _, err := h.cfn.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: aws.String("Api"), TemplateURL: aws.String(u)}); err != nil {
			if strings.Contains(err.Error(), "No updates are to be performed.") {
				continue // the second URL names the template the first deployed
			}
			t.Fatalf("UpdateStack with TemplateURL %s: %v", u, err)
		}
		if s := h.waitStack(t, "Api"); s.StackStatus != types.StackStatusUpdateComplete {
			t.Fatalf("after UpdateStack from %s: %s", u, s.StackStatus)
		}
	}
	if v := h.rec.request("A").Properties["V"]; fmt.Sprint(v) != "3" {
		t.Errorf("A updated from the TemplateURL to V=%v", v)
	}
	for u, want := range map[string]string{
		"https://templates.s3.amazonaws.com/missing.json": "TemplateURL must reference a valid S3 object to which you have access.",
		"https://example.com/v3.json":                     "TemplateURL must be an Amazon S3 URL.",
	} {
		if _, err := h.cfn.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: aws.String("Api"), TemplateURL: aws.String(u)}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("TemplateURL %s: %v, want %q", u, err, want)
		}
	}
}

func TestChangeSetsAsAWSCLIDeployUsesThem(t *testing.T) {
	h := newHarness(t, nil)
	ctx := context.Background()
	created, err := h.cfn.CreateChangeSet(ctx, &cloudformation.CreateChangeSetInput{StackName: aws.String("Cs"), ChangeSetName: aws.String("first"),
		ChangeSetType: types.ChangeSetTypeCreate, TemplateBody: aws.String(thing(1))})
	if err != nil {
		t.Fatalf("CreateChangeSet CREATE: %v", err)
	}
	review, err := h.cfn.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("Cs")})
	if err != nil || review.Stacks[0].StackStatus != types.StackStatusReviewInProgress {
		t.Errorf("stack of a CREATE change set: %v %+v", err, review)
	}
	described := h.changeSetComplete(t, aws.ToString(created.Id))
	if described.Status != types.ChangeSetStatusCreateComplete || len(described.Changes) != 1 ||
		described.Changes[0].ResourceChange.Action != types.ChangeActionAdd || aws.ToString(described.Changes[0].ResourceChange.LogicalResourceId) != "A" {
		t.Fatalf("DescribeChangeSet: %+v", described)
	}
	if _, err := h.cfn.ExecuteChangeSet(ctx, &cloudformation.ExecuteChangeSetInput{ChangeSetName: created.Id}); err != nil {
		t.Fatalf("ExecuteChangeSet: %v", err)
	}
	if s := h.waitStack(t, "Cs"); s.StackStatus != types.StackStatusCreateComplete || aws.ToString(s.StackId) != aws.ToString(created.StackId) {
		t.Fatalf("after executing the CREATE change set: %s %s", s.StackStatus, aws.ToString(s.StackId))
	}

	update, err := h.cfn.CreateChangeSet(ctx, &cloudformation.CreateChangeSetInput{StackName: aws.String("Cs"), ChangeSetName: aws.String("second"),
		TemplateBody: aws.String(thing(2))})
	if err != nil {
		t.Fatalf("CreateChangeSet UPDATE: %v", err)
	}
	described = h.changeSetComplete(t, aws.ToString(update.Id))
	if c := described.Changes; len(c) != 1 || c[0].ResourceChange.Action != types.ChangeActionModify || c[0].ResourceChange.Replacement != types.ReplacementTrue {
		t.Fatalf("update change set: %+v", c)
	}
	if _, err := h.cfn.ExecuteChangeSet(ctx, &cloudformation.ExecuteChangeSetInput{ChangeSetName: aws.String("second"), StackName: aws.String("Cs")}); err != nil {
		t.Fatalf("ExecuteChangeSet by name: %v", err)
	}
	if s := h.waitStack(t, "Cs"); s.StackStatus != types.StackStatusUpdateComplete {
		t.Fatalf("after executing the UPDATE change set: %s", s.StackStatus)
	}
	if _, err := h.cfn.ExecuteChangeSet(ctx, &cloudformation.ExecuteChangeSetInput{ChangeSetName: update.Id}); err == nil {
		t.Error("a change set was executed twice")
	}

	same, err := h.cfn.CreateChangeSet(ctx, &cloudformation.CreateChangeSetInput{StackName: aws.String("Cs"), ChangeSetName: aws.String("same"),
		UsePreviousTemplate: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	d, err := h.cfn.DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{ChangeSetName: same.Id})
	if err != nil || d.Status != types.ChangeSetStatusFailed || d.ExecutionStatus != types.ExecutionStatusUnavailable ||
		aws.ToString(d.StatusReason) != "The submitted information didn't contain changes. Submit different information to create a change set." {
		t.Errorf("change set without changes: %v %+v", err, d)
	}
	_, err = h.cfn.DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{ChangeSetName: aws.String("nope"), StackName: aws.String("Cs")})
	var notFound *types.ChangeSetNotFoundException
	if !errors.As(err, &notFound) {
		t.Errorf("DescribeChangeSet of an unknown change set: %v", err)
	}
}

// changeSetComplete waits with the SDK's waiter, as `aws cloudformation
// deploy` does, for a change set to be created.
func (h *harness) changeSetComplete(t *testing.T, id string) *cloudformation.DescribeChangeSetOutput {
	t.Helper()
	w := cloudformation.NewChangeSetCreateCompleteWaiter(h.cfn, func(o *cloudformation.ChangeSetCreateCompleteWaiterOptions) {
		o.MinDelay, o.MaxDelay = time.Millisecond, 10*time.Millisecond
	})
	out, err := w.WaitForOutput(context.Background(), &cloudformation.DescribeChangeSetInput{ChangeSetName: aws.String(id)}, 10*time.Second)
	if err != nil {
		t.Fatalf("wait for change set %s: %v", id, err)
	}
	return out
}
