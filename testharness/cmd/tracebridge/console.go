package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"

	"github.com/tracebridge/tracebridge/testharness"
	"github.com/tracebridge/tracebridge/testharness/localcloud"
	"github.com/tracebridge/tracebridge/testharness/localcloud/observe"
	"github.com/tracebridge/tracebridge/testharness/report"
)

// reportTestRuns tells the cloud's history, which the console shows,
// about every run of the suite: each TestRunCompleted on the app bus,
// whoever started the run (the deploy-time check, `tracebridge test
// --endpoint`). The local cloud does not know the app's events; the CLI
// does.
func reportTestRuns(cloud *localcloud.Cloud, busName string) {
	cloud.EventBridge.Subscribe(busName, func(envelope []byte) {
		if rep, ok := runCompleted(envelope); ok {
			cloud.Observer().TestRun(observedRun(rep))
		}
	})
}

// observedRun is a run report as the history keeps it.
func observedRun(rep testharness.RunReport) observe.TestRun {
	run := observe.TestRun{ExecutionArn: rep.ExecutionArn, Passed: rep.Passed, Failed: rep.Failed, VerdictMs: rep.VerdictMs}
	for _, r := range rep.Results {
		run.Results = append(run.Results, observe.TestResult{Name: r.Name, Passed: r.Passed, DurationMs: r.DurationMs,
			TraceID: r.TraceID, CorrelationID: r.CorrelationID, Reason: r.Reason})
	}
	return run
}

// resultLinks says where each result of a deployed stack's run links to:
// the console of the local cloud the configuration points at, or the AWS
// consoles of its region, where the logs link searches the log groups of
// the stack's functions.
func resultLinks(ctx context.Context, cfg aws.Config, stackName string, rep testharness.RunReport, progress io.Writer) report.Linker {
	if endpoint := aws.ToString(cfg.BaseEndpoint); endpoint != "" {
		return report.LocalLinks(strings.TrimSuffix(endpoint, "/") + localcloud.ConsolePath)
	}
	groups, err := functionLogGroups(ctx, cfg, stackName)
	if err != nil {
		fmt.Fprintf(progress, "the results link to no log lines: %v\n", err)
	}
	return report.AWSLinks(cfg.Region, groups, rep)
}

// functionLogGroups lists the log groups of a stack's Lambda functions
// (/aws/lambda/<name>, where Lambda writes unless told otherwise).
func functionLogGroups(ctx context.Context, cfg aws.Config, stackName string) ([]string, error) {
	var groups []string
	pages := cloudformation.NewListStackResourcesPaginator(cloudformation.NewFromConfig(cfg),
		&cloudformation.ListStackResourcesInput{StackName: aws.String(stackName)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list the resources of stack %s (ListStackResources): %w", stackName, err)
		}
		for _, r := range page.StackResourceSummaries {
			if aws.ToString(r.ResourceType) == "AWS::Lambda::Function" && r.PhysicalResourceId != nil {
				groups = append(groups, "/aws/lambda/"+aws.ToString(r.PhysicalResourceId))
			}
		}
	}
	return groups, nil
}
