package suite_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/tracebridge/tracebridge/schemas"
	"github.com/tracebridge/tracebridge/testharness"
	"github.com/tracebridge/tracebridge/testharness/suite"
)

// BenchmarkSuiteInProcess is the suite's verdict when Go drives each step
// against the local cloud: the four tests concurrently, Act to Cleanup.
func BenchmarkSuiteInProcess(b *testing.B) {
	a := deploy(b, withoutDeployTimeRun(b, nil))
	tests := suite.Tests()
	slowest := int64(0)
	for b.Loop() {
		for _, r := range a.runAll(b, tests) {
			if !r.Passed {
				b.Fatalf("%s failed: %s", r.Name, r.Reason)
			}
			slowest = max(slowest, r.DurationMs)
		}
	}
	b.ReportMetric(float64(slowest), "slowest-test-ms")
}

// BenchmarkSuiteStateMachine is the suite's verdict through the state
// machine (what the deploy-time check and `tracebridge test` run): from
// StartExecution to the report, as RunReport.VerdictMs measures it.
func BenchmarkSuiteStateMachine(b *testing.B) {
	a := deploy(b, withoutDeployTimeRun(b, nil))
	machine, err := a.env.Output(schemas.OutputTestStateMachineArn)
	if err != nil {
		b.Fatal(err)
	}
	client := sfn.NewFromConfig(a.env.AWS)
	ctx := context.Background()
	var verdicts int64
	for b.Loop() {
		out, err := client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(machine), Input: aws.String(`{}`)})
		if err != nil {
			b.Fatal(err)
		}
		wctx, cancel := context.WithTimeout(ctx, time.Minute)
		res, err := a.cloud.StepFunctions.WaitExecution(wctx, aws.ToString(out.ExecutionArn))
		cancel()
		if err != nil {
			b.Fatal(err)
		}
		var rep testharness.RunReport
		if err := json.Unmarshal([]byte(res.Output), &rep); err != nil || rep.Passed != 4 {
			b.Fatalf("execution %s: %s (%v)", res.Status, res.Output, err)
		}
		verdicts += rep.VerdictMs
	}
	b.ReportMetric(float64(verdicts)/float64(b.N), "verdict-ms")
}
