package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/tracebridge/tracebridge/schemas"
	"github.com/tracebridge/tracebridge/testharness"
	"github.com/tracebridge/tracebridge/testharness/localcloud"
	"github.com/tracebridge/tracebridge/testharness/report"
)

// defaultStackName is the app's CloudFormation stack (infra.StackName).
const defaultStackName = "Tracebridge"

// reportGrace bounds how long a successful local deployment may take to
// deliver the run's TestRunCompleted event. The report step puts it before
// it answers CloudFormation, so it normally is there already.
const reportGrace = 30 * time.Second

// errTestsFailed ends `tracebridge test` with exit code 1 after the results
// are printed; run prints nothing more for it.
var errTestsFailed = errors.New("tests failed")

// test runs `tracebridge test`.
func test(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, "usage: tracebridge test [--app CMD | --assembly DIR] [--no-rollback] [--iam on|off] [--time virtual|real] [--endpoint URL] [--stack NAME] [--json] [--junit FILE] [--console]\n\n"+
			"Without --endpoint or --stack: synthesize the CDK app of this folder (cdk.json's \"app\", or --app)\n"+
			"if its sources changed, start the local cloud, deploy it\n"+
			"(the deploy-time check runs the suite exactly as on AWS) and print the results.\n"+
			"With --endpoint or --stack: run the suite of an already deployed stack, on a running local\n"+
			"cloud or on AWS, through StartExecution on its TestStateMachineArn.\n\n")
		fs.PrintDefaults()
	}
	assemblyDir := fs.String("assembly", "", "deploy this cloud assembly instead of synthesizing the app")
	appCommand := appFlag(fs)
	endpoint := fs.String("endpoint", "", "run against the local cloud at this URL (credentials test/test)")
	stack := fs.String("stack", "", "run against this deployed stack; alone, on AWS with the default credentials (default "+defaultStackName+")")
	asJSON := fs.Bool("json", false, "print the results as one JSON document")
	junit := fs.String("junit", "", "also write the results as JUnit XML to this file")
	withConsole := fs.Bool("console", false, "serve the local cloud's web console while the suite runs, and print its address")
	iamMode := iamFlag(fs)
	timeMode := timeFlag(fs, localcloud.TimeVirtual)
	noRollback := noRollbackFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("test takes no arguments, got %q", fs.Args())}
	}
	if *noRollback && (*endpoint != "" || *stack != "") {
		return usageError{"test: --no-rollback sets up the deployment this command makes; it does not go with --endpoint or --stack"}
	}
	deployed := *endpoint != "" || *stack != ""
	if deployed && *withConsole {
		return usageError{"test: --console serves the console of the local cloud this command starts; a running local cloud serves its own (tracebridge local up prints its address)"}
	}
	if deployed && (*assemblyDir != "" || *appCommand != "") {
		return usageError{"test: --assembly and --app deploy to a fresh local cloud; they do not go with --endpoint or --stack"}
	}
	if *assemblyDir != "" && *appCommand != "" {
		return usageError{"test: --assembly deploys a synthesized app; it does not go with --app"}
	}
	iam, err := iamMode()
	if err != nil {
		return err
	}
	if deployed && flagSet(fs, "iam") {
		return usageError{"test: --iam sets up the local cloud this command starts; it does not go with --endpoint or --stack"}
	}
	clock, err := timeMode()
	if err != nil {
		return err
	}
	if deployed && flagSet(fs, "time") {
		return usageError{"test: --time sets up the local cloud this command starts; it does not go with --endpoint or --stack"}
	}

	var (
		rep   testharness.RunReport
		links report.Linker // none for a local cloud that ends with the command
	)
	if deployed {
		name := *stack
		if name == "" {
			name = defaultStackName
		}
		var cfg aws.Config
		if cfg, err = awsConfig(ctx, *endpoint); err == nil {
			rep, err = runDeployedSuite(ctx, cfg, name, stderr)
		}
		if err == nil {
			links = resultLinks(ctx, cfg, name, rep, stderr)
		}
	} else {
		// --json is for machines: the results alone, no progress.
		rep, err = runLocalSuite(ctx, appOptions{assemblyDir: *assemblyDir, appCommand: *appCommand, iam: iam, time: clock,
			noRollback: *noRollback, console: *withConsole, progress: newProgress(stderr, *asJSON)})
	}
	if err != nil {
		return err
	}

	render := report.Text
	if *asJSON {
		render = report.JSON
	}
	if err := render(stdout, rep, links); err != nil {
		return err
	}
	if *junit != "" {
		if err := writeFile(*junit, func(w io.Writer) error { return report.JUnit(w, rep, links) }); err != nil {
			return err
		}
	}
	if rep.Failed > 0 {
		return errTestsFailed
	}
	return nil
}

// runDeployedSuite runs the suite of a deployed stack: DescribeStacks for
// its TestStateMachineArn output, StartExecution, then DescribeExecution
// until the execution ends, whose output is the RunReport. The same calls
// serve a local cloud and AWS.
func runDeployedSuite(ctx context.Context, cfg aws.Config, stackName string, progress io.Writer) (testharness.RunReport, error) {
	var rep testharness.RunReport
	stacks, err := cloudformation.NewFromConfig(cfg).DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(stackName)})
	if err != nil {
		return rep, fmt.Errorf("find stack %s (DescribeStacks): %w", stackName, err)
	}
	var arn string
	for _, s := range stacks.Stacks {
		for _, o := range s.Outputs {
			if aws.ToString(o.OutputKey) == schemas.OutputTestStateMachineArn {
				arn = aws.ToString(o.OutputValue)
			}
		}
	}
	if arn == "" {
		return rep, fmt.Errorf("stack %s has no output %s: deploy the app with its test harness (testharness/cdkharness)",
			stackName, schemas.OutputTestStateMachineArn)
	}

	client := sfn.NewFromConfig(cfg)
	start, err := client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(arn), Input: aws.String("{}")})
	if err != nil {
		return rep, fmt.Errorf("start the suite (StartExecution on %s): %w", arn, err)
	}
	execArn := aws.ToString(start.ExecutionArn)
	fmt.Fprintf(progress, "running the suite of stack %s: %s\n", stackName, execArn)

	var last *sfn.DescribeExecutionOutput
	err = follow(ctx, func(ctx context.Context) (bool, error) {
		out, err := client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(execArn)})
		if err != nil {
			return false, fmt.Errorf("follow %s (DescribeExecution): %w", execArn, err)
		}
		last = out
		return out.Status != sfntypes.ExecutionStatusRunning && out.Status != sfntypes.ExecutionStatusPendingRedrive, nil
	})
	if err != nil {
		return rep, err
	}
	if last.Status != sfntypes.ExecutionStatusSucceeded {
		return rep, fmt.Errorf("the suite's execution %s ended %s: %s: %s", execArn, last.Status,
			aws.ToString(last.Error), aws.ToString(last.Cause))
	}
	if err := json.Unmarshal([]byte(aws.ToString(last.Output)), &rep); err != nil {
		return rep, fmt.Errorf("the output of %s is not a run report: %w", execArn, err)
	}
	return rep, nil
}

// runLocalSuite deploys the app to a fresh local cloud, where the
// deploy-time check runs the suite exactly as on AWS, and returns the
// report its TestRunCompleted event carries. A template without the check
// (synthesized with tracebridge:skipTests) is deployed, then run like a
// deployed stack. A deployment that fails without a report is an error
// with CloudFormation's reason.
func runLocalSuite(ctx context.Context, o appOptions) (testharness.RunReport, error) {
	reports := make(chan testharness.RunReport, 1)
	var app appTemplate
	subscribe := func(cloud *localcloud.Cloud, dir string) error {
		var err error
		if app, err = readAppTemplate(dir); err != nil {
			return err
		}
		// Subscribed before the deployment starts, so the run's report
		// cannot be missed; the subscription ends with the cloud.
		cloud.EventBridge.Subscribe(app.busName, func(envelope []byte) {
			if rep, ok := runCompleted(envelope); ok {
				select {
				case reports <- rep:
				default: // one run per deployment: a second report is not ours
				}
			}
		})
		return nil
	}
	o.beforeDeploy = subscribe
	env, deployErr := startApp(ctx, o)
	if env != nil {
		defer env.close()
	}
	select {
	case rep := <-reports:
		switch {
		case deployErr != nil && o.noRollback:
			o.progress.Note("the deployment failed because tests failed and was kept, not rolled back: %v\n"+
				"(tracebridge local up --no-rollback keeps such a stack up to look at)", deployErr)
		case deployErr != nil:
			o.progress.Note("the deployment rolled back because tests failed: %v", deployErr)
		}
		return rep, nil
	default:
	}
	if deployErr != nil {
		return testharness.RunReport{}, deployErr
	}
	if !app.hasTestRun {
		o.progress.Note("the template has no %s (synthesized with tracebridge:skipTests): starting the suite directly", testharness.TestRunResourceType)
		cfg, err := awsConfig(ctx, env.cloud.Endpoint())
		if err != nil {
			return testharness.RunReport{}, err
		}
		return runDeployedSuite(ctx, cfg, env.stack.StackName, o.progress.w)
	}
	timer := time.NewTimer(reportGrace)
	defer timer.Stop()
	select {
	case rep := <-reports:
		return rep, nil
	case <-timer.C:
		return testharness.RunReport{}, fmt.Errorf("stack %s deployed, but no %s event reached bus %s within %s",
			env.stack.StackName, schemas.DetailTypeTestRunCompleted, app.busName, reportGrace)
	case <-ctx.Done():
		return testharness.RunReport{}, ctx.Err()
	}
}

// runCompleted reads a TestRunCompleted event's report from an envelope.
func runCompleted(envelope []byte) (testharness.RunReport, bool) {
	var e struct {
		Source     string                `json:"source"`
		DetailType string                `json:"detail-type"`
		Detail     testharness.RunReport `json:"detail"`
	}
	if json.Unmarshal(envelope, &e) != nil || e.Source != schemas.AppEventSource || e.DetailType != schemas.DetailTypeTestRunCompleted {
		return testharness.RunReport{}, false
	}
	return e.Detail, true
}
