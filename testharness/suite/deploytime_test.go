package suite_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/tracebridge/tracebridge/schemas"
	"github.com/tracebridge/tracebridge/testharness"
	"github.com/tracebridge/tracebridge/testharness/internal/assemblyedit"
	"github.com/tracebridge/tracebridge/testharness/localcloud"
	"github.com/tracebridge/tracebridge/testharness/localcloud/cloudformation"
)

// The deploy-time check, end to end: deploying the assembly with the
// harness runs the suite through the state machine (Custom::TestRun →
// starter → state machine → runner and await functions → report), and the
// deployment succeeds only when the report answers SUCCESS. The
// execution's output is the RunReport.
func TestDeployTimeCheckPassesWithFourResults(t *testing.T) {
	cloud := localcloud.RunT(t, localcloud.Options{SourceRoot: moduleRoot})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	start := time.Now()
	stack, err := cloud.Deploy(ctx, assemblyDir)
	if err != nil {
		t.Fatalf("deploy with the deploy-time check: %v", err)
	}
	t.Logf("deployed with the check in %s", time.Since(start).Round(time.Millisecond))
	rep := lastRunReport(t, cloud, stack.Outputs[schemas.OutputTestStateMachineArn])
	for _, r := range rep.Results {
		t.Logf("%-32s passed=%-5v %5dms trace %s %s", r.Name, r.Passed, r.DurationMs, r.TraceID, r.Reason)
	}
	t.Logf("verdict %dms, execution %s", rep.VerdictMs, rep.ExecutionArn)
	if rep.Passed != 4 || rep.Failed != 0 || len(rep.Results) != 4 {
		t.Errorf("report: %d passed, %d failed, %d results; want 4 passing results", rep.Passed, rep.Failed, len(rep.Results))
	}
}

// lastRunReport reads the RunReport of the state machine's newest
// execution, through the Step Functions API.
func lastRunReport(t *testing.T, cloud *localcloud.Cloud, machineArn string) testharness.RunReport {
	t.Helper()
	if machineArn == "" {
		t.Fatalf("the stack has no %s output: is the harness construct in the stack?", schemas.OutputTestStateMachineArn)
	}
	ctx := context.Background()
	cfg, err := testharness.LocalConfig(ctx, cloud.Endpoint())
	if err != nil {
		t.Fatal(err)
	}
	client := sfn.NewFromConfig(cfg)
	list, err := client.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(machineArn)})
	if err != nil || len(list.Executions) == 0 {
		t.Fatalf("ListExecutions %s: %d executions, %v", machineArn, len(list.Executions), err)
	}
	// The report step answers CloudFormation before the execution ends,
	// so the deployment may return while it still runs: wait for its end.
	waitCtx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if _, err := cloud.StepFunctions.WaitExecution(waitCtx, aws.ToString(list.Executions[0].ExecutionArn)); err != nil {
		t.Fatal(err)
	}
	desc, err := client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: list.Executions[0].ExecutionArn})
	if err != nil {
		t.Fatal(err)
	}
	var rep testharness.RunReport
	if err := json.Unmarshal([]byte(aws.ToString(desc.Output)), &rep); err != nil {
		t.Fatalf("execution %s (%s) output is not a RunReport: %v: %s", aws.ToString(desc.ExecutionArn), desc.Status, err, aws.ToString(desc.Output))
	}
	return rep
}

// A broken configuration fails the deployment, and CloudFormation's reason
// names the failing test and why.
func TestDeployTimeCheckFailsTheDeploymentNamingTheTest(t *testing.T) {
	dir := assemblyedit.Copy(t, assemblyDir, func(tmpl assemblyedit.Template) {
		for _, p := range tmpl.ResourcesOfType(t, "AWS::Pipes::Pipe") {
			delete(p["Properties"].(map[string]any)["SourceParameters"].(map[string]any), "FilterCriteria")
		}
	})
	cloud := localcloud.RunT(t, localcloud.Options{SourceRoot: moduleRoot})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	stack, err := cloud.Deploy(ctx, dir)
	var deployErr *cloudformation.DeployError
	if !errors.As(err, &deployErr) {
		t.Fatalf("deploy = %v, want a failed deployment", err)
	}
	t.Logf("status %s, reason: %s\nerror: %v", stack.Status, stack.Reason, err)
	for _, want := range []string{"1 of 4 integration tests failed", "pipe_filter_ignores_non_users: assert: the pipe let an ORDER insert through", "execution arn:aws:states:"} {
		if !strings.Contains(err.Error()+stack.Reason, want) {
			t.Errorf("deployment failure lacks %q: %v / %s", want, err, stack.Reason)
		}
	}
}
