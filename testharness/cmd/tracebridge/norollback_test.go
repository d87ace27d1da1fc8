package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/tracebridge/tracebridge/testharness"
	"github.com/tracebridge/tracebridge/testharness/internal/assemblyedit"
	"github.com/tracebridge/tracebridge/testharness/localcloud"
	cfnlocal "github.com/tracebridge/tracebridge/testharness/localcloud/cloudformation"
)

// Issue 15: a deployment whose deploy-time check fails can be kept for
// inspection (--no-rollback, CloudFormation's DisableRollback), and
// `local up` stays up with it.

// checkFailingCopy is a copy of the app whose S3 rule matches another
// bucket: two tests fail, so the deploy-time check does.
func checkFailingCopy(t *testing.T) string {
	t.Helper()
	return assemblyedit.Copy(t, assemblyDir, func(tmpl assemblyedit.Template) {
		s3RulePattern(func(p map[string]any) {
			p["detail"] = map[string]any{"bucket": map[string]any{"name": []any{"some-other-bucket"}}}
		})(t, tmpl)
	})
}

// keptStack reads a failed stack kept with DisableRollback through the
// CloudFormation and S3 APIs of the cloud at endpoint: it must be
// CREATE_FAILED, the check alone failed, every other resource still
// exists, and the app's bucket (named by its resource: a failed stack has
// no outputs) answers.
func keptStack(t *testing.T, endpoint, stackName string) {
	t.Helper()
	ctx := context.Background()
	cfg, err := awsConfig(ctx, endpoint)
	if err != nil {
		t.Fatal(err)
	}
	cfn := cloudformation.NewFromConfig(cfg)
	stacks, err := cfn.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(stackName)})
	if err != nil || len(stacks.Stacks) != 1 {
		t.Fatalf("DescribeStacks %s: %v", stackName, err)
	}
	if s := stacks.Stacks[0]; s.StackStatus != cfntypes.StackStatusCreateFailed || !aws.ToBool(s.DisableRollback) {
		t.Errorf("stack %s: %s (DisableRollback %v), want CREATE_FAILED kept", stackName, s.StackStatus, aws.ToBool(s.DisableRollback))
	}
	resources, err := cfn.DescribeStackResources(ctx, &cloudformation.DescribeStackResourcesInput{StackName: aws.String(stackName)})
	if err != nil {
		t.Fatal(err)
	}
	created, bucket := 0, ""
	for _, r := range resources.StackResources {
		if aws.ToString(r.ResourceType) == "AWS::S3::Bucket" {
			bucket = aws.ToString(r.PhysicalResourceId)
		}
		switch {
		case aws.ToString(r.ResourceType) == testharness.TestRunResourceType:
			if r.ResourceStatus != cfntypes.ResourceStatusCreateFailed {
				t.Errorf("the deploy-time check %s: %s, want CREATE_FAILED", aws.ToString(r.LogicalResourceId), r.ResourceStatus)
			}
		case r.ResourceStatus == cfntypes.ResourceStatusCreateComplete:
			created++
		default:
			t.Errorf("resource %s (%s): %s, want it kept CREATE_COMPLETE", aws.ToString(r.LogicalResourceId), aws.ToString(r.ResourceType), r.ResourceStatus)
		}
	}
	if created < 10 {
		t.Errorf("%d resources kept, want the app's (%d listed)", created, len(resources.StackResources))
	}
	if _, err := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Errorf("the kept stack's bucket %q: %v", bucket, err)
	}
}

func TestTestNoRollbackKeepsTheFailedStackWithItsResources(t *testing.T) {
	observed := false
	observeDeployment = func(cloud *localcloud.Cloud, stack *cfnlocal.StackResult) {
		observed = true
		keptStack(t, cloud.Endpoint(), stack.StackName)
	}
	t.Cleanup(func() { observeDeployment = nil })
	got := runCLI(t, "test", "--no-rollback", "--assembly", checkFailingCopy(t))
	if got.code != 1 {
		t.Fatalf("exit %d, want 1\nstdout:\n%s\nstderr:\n%s", got.code, got.stdout, got.stderr)
	}
	if !observed {
		t.Fatal("no deployment was made")
	}
	if rows := parseResults(t, got.stdout); rows["s3_png_metadata"].verdict != "FAIL" {
		t.Errorf("s3_png_metadata: %+v, want FAIL", rows["s3_png_metadata"])
	}
	for _, want := range []string{"was kept, not rolled back", "CREATE_FAILED"} {
		if !strings.Contains(got.stderr, want) {
			t.Errorf("stderr does not say %q:\n%s", want, got.stderr)
		}
	}
}

// `local up` on an app whose check fails stays up, says so, and serves
// the failed stack at the endpoint it prints until it is stopped: rolled
// back by default, kept with its resources with --no-rollback.
func TestLocalUpStaysUpWhenTheCheckFails(t *testing.T) {
	dir := checkFailingCopy(t)
	for _, tt := range []struct {
		flags  []string
		status cfntypes.StackStatus
	}{
		{nil, cfntypes.StackStatusRollbackComplete},
		{[]string{"--no-rollback"}, cfntypes.StackStatusCreateFailed},
	} {
		t.Run(string(tt.status), func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			stdout, printed := io.Pipe()
			var stderr bytes.Buffer
			exited := make(chan int, 1)
			go func() {
				code := run(ctx, append([]string{"local", "up", "--addr", "127.0.0.1:0", "--assembly", dir}, tt.flags...), printed, &stderr)
				printed.Close()
				exited <- code
			}()
			endpoint, stackLine := readUntilUp(t, stdout)
			go func() { _, _ = io.Copy(io.Discard, stdout) }()
			if endpoint == "" {
				t.Fatalf("local up exited (%d) without serving\nstderr:\n%s", <-exited, stderr.String())
			}

			// Up: the endpoint it printed serves the failed stack.
			cfg, err := awsConfig(ctx, endpoint)
			if err != nil {
				t.Fatal(err)
			}
			stacks, err := cloudformation.NewFromConfig(cfg).DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(defaultStackName)})
			if err != nil || len(stacks.Stacks) != 1 {
				t.Fatalf("DescribeStacks through %s: %v", endpoint, err)
			}
			if s := stacks.Stacks[0]; s.StackStatus != tt.status || !strings.Contains(stackLine, string(tt.status)) {
				t.Errorf("stack %s (%s), printed %q; want %s", s.StackStatus, aws.ToString(s.StackStatusReason), stackLine, tt.status)
			}
			if tt.status == cfntypes.StackStatusCreateFailed {
				keptStack(t, endpoint, defaultStackName)
			}
			select {
			case code := <-exited:
				t.Fatalf("local up exited (%d) before it was stopped", code)
			default:
			}

			cancel()
			if code := <-exited; code != 0 {
				t.Errorf("local up stopped with exit %d, want 0", code)
			}
			if !strings.Contains(stderr.String(), "the local cloud stays up with the failed stack") {
				t.Errorf("local up did not say it stays up:\n%s", stderr.String())
			}
		})
	}
}

// readUntilUp reads what `local up` prints until it says how to stop it,
// and returns the endpoint and the stack's status line; the endpoint is
// empty if the command ended first.
func readUntilUp(t *testing.T, stdout io.Reader) (endpoint, stackLine string) {
	t.Helper()
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		line := lines.Text()
		switch {
		case strings.HasPrefix(line, "Tracebridge local cloud at "):
			endpoint = strings.TrimPrefix(line, "Tracebridge local cloud at ")
		case strings.HasPrefix(line, "stack "):
			stackLine = line
		case line == "Ctrl-C stops it.":
			return endpoint, stackLine
		}
	}
	return "", stackLine
}
