// Command orderflow is the CDK app of Tracebridge's second example: an SQS
// queue feeding a Lambda function through an event source mapping, with a
// redrive policy to a dead-letter queue, and a Step Functions workflow an
// EventBridge rule starts (stack.go, workflow.go). It is made of the
// public packages alone — testharness/cdkgo to build its Go functions,
// testharness/cdkharness for the test harness, testharness/completion in
// its handlers — and its tests are the suite package.
//
// As any CDK app, it is synthesized by the command in cdk.json, run in
// this folder: `tracebridge test` here synthesizes it for the local cloud
// (cdk.local.out), deploys it and runs the suite; `npx aws-cdk deploy`
// deploys it to AWS, where the suite runs at deployment. Its cloud
// assembly is written to $CDK_OUTDIR (cdk.out by default), and cdk-nag's
// AwsSolutions findings at error level fail the synthesis, as `cdk deploy`
// would refuse them.
package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/cxapi"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/tracebridge/tracebridge/testharness/cdkgo"
	"github.com/tracebridge/tracebridge/testharness/cdkharness"
)

// StackName is the app's CloudFormation stack.
const StackName = "OrderFlow"

func main() {
	err := run()
	jsii.Close()
	if err != nil {
		fmt.Fprintln(os.Stderr, "orderflow:", err)
		os.Exit(1)
	}
}

func run() error {
	dir, err := os.Getwd() // the app's folder: the CDK CLI runs the app there
	if err != nil {
		return err
	}
	root, err := cdkgo.ModuleRoot()
	if err != nil {
		return err
	}
	rel, err := filepath.Rel(root, dir)
	if err != nil {
		return err
	}
	pkg := func(p string) string { return "./" + filepath.ToSlash(filepath.Join(rel, p)) }
	pkgs := Packages{Worker: pkg("handlers/worker"), DeadLetter: pkg("handlers/deadletter"), Suite: pkg("suite")}
	localCloud, err := cdkgo.LocalCloudAssets()
	if err != nil {
		return err
	}
	builder := &cdkgo.Builder{ModuleRoot: root, OutDir: filepath.Join(dir, "build"), ForLocalCloud: localCloud, Progress: os.Stderr}
	mains, err := cdkharness.SuiteMains(builder, pkgs.Suite)
	if err != nil {
		return err
	}
	// One go build for every function, while jsii loads the CDK.
	wait := builder.StartBuildAll(append([]string{pkgs.Worker, pkgs.DeadLetter}, mains.All()...)...)
	defer func() { _ = wait() }()

	outDir := os.Getenv("CDK_OUTDIR")
	if outDir == "" {
		outDir = filepath.Join(dir, "cdk.out")
	}
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(outDir)})
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
	if _, err := NewOrderFlowStack(app, StackName, builder, pkgs); err != nil {
		return err
	}
	if err := refuseErrors(app.Synth(nil)); err != nil {
		return err
	}
	fmt.Fprintln(os.Stderr, "orderflow: cloud assembly written to", outDir)
	return nil
}

// refuseErrors fails on the error annotations of the assembly's stacks
// (cdk-nag's findings among them), which `cdk deploy` refuses to deploy.
func refuseErrors(asm cxapi.CloudAssembly) error {
	var errs []error
	for _, st := range *asm.Stacks() {
		for _, m := range *st.Messages() {
			//lint:ignore SA1019 cxapi.SynthesisMessage's fields are marked deprecated by jsii; the Go binding has no other type
			if m.Level == cxapi.SynthesisMessageLevel_ERROR {
				//lint:ignore SA1019 as above
				errs = append(errs, fmt.Errorf("%s: %v", *m.Id, m.Entry.Data))
			}
		}
	}
	return errors.Join(errs...)
}
