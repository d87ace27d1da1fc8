package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud"
	"github.com/tracebridge/tracebridge/testharness/localcloud/cloudformation"
	"github.com/tracebridge/tracebridge/testharness/synth"
)

// appOptions say where the local cloud listens and what it deploys.
type appOptions struct {
	addr        string
	iam         localcloud.IAMMode
	time        localcloud.TimeMode
	assemblyDir string // "" synthesizes the app for the local cloud when stale
	// appCommand replaces the app command of cdk.json in the current
	// folder (--app).
	appCommand string
	progress   *progress
	// beforeDeploy, when set, runs once the cloud is up and before the
	// assembly in dir is deployed: the moment to subscribe to what the
	// deployment will emit.
	beforeDeploy func(cloud *localcloud.Cloud, dir string) error
	// noRollback keeps a failed stack CREATE_FAILED with its resources
	// (CloudFormation's DisableRollback, `cdk deploy --no-rollback`).
	noRollback bool
	// keepFailed leaves the cloud up when the deployment fails: the
	// environment comes back with the error.
	keepFailed bool
	// console prints the address of the cloud's web console as soon as
	// the cloud is up.
	console bool
}

// observeDeployment, when set (by tests), sees the local cloud and the
// stack of each deployment startApp makes, once the deployment has ended
// and before anything is closed: the one moment the cloud of a
// `tracebridge test` run, which ends with the command, can be looked at.
var observeDeployment func(cloud *localcloud.Cloud, stack *cloudformation.StackResult)

// appEnv is a running local cloud with the app's stack deployed.
type appEnv struct {
	cloud *localcloud.Cloud
	stack *cloudformation.StackResult
}

// startApp synthesizes the app if needed, starts the local cloud and
// deploys the assembly. A failed deployment is an error carrying
// CloudFormation's reason; with keepFailed the environment of the failed
// stack comes with it, still running.
func startApp(ctx context.Context, o appOptions) (*appEnv, error) {
	dir, root, err := localAssembly(ctx, o)
	if err != nil {
		return nil, err
	}
	cloud, err := localcloud.Start(localcloud.Options{Addr: o.addr, SourceRoot: root, IAM: o.iam, Time: o.time})
	if err != nil {
		return nil, err
	}
	env := &appEnv{cloud: cloud}
	if o.console {
		o.progress.Note("console: %s", cloud.ConsoleURL())
	}
	// The console shows the runs of the suite; an assembly that is not the
	// app's (no app bus) has none to show.
	if app, err := readAppTemplate(dir); err == nil {
		reportTestRuns(cloud, app.busName)
	}
	if o.beforeDeploy != nil {
		if err := o.beforeDeploy(cloud, dir); err != nil {
			env.close()
			return nil, err
		}
	}
	o.progress.Start(fmt.Sprintf("deploying %s to the local cloud", dir))
	start := time.Now()
	var resources string // "n of m resources" as the deployment last told
	env.stack, err = cloud.CloudFormation.Deploy(ctx, dir, cloudformation.DeployOptions{DisableRollback: o.noRollback,
		Progress: func(done, total int) {
			resources = fmt.Sprintf("%d of %d resources", done, total)
			o.progress.Update(resources)
		}})
	if observeDeployment != nil && env.stack != nil {
		observeDeployment(cloud, env.stack)
	}
	if err != nil {
		o.progress.Done(fmt.Sprintf("deployment ended after %s (%s)", time.Since(start).Round(time.Millisecond), resources))
		if env.stack != nil {
			err = fmt.Errorf("deployment of stack %s failed: %s: %w", env.stack.StackName, env.stack.Status, err)
			if o.keepFailed {
				return env, err
			}
			env.close()
			return nil, err
		}
		env.close()
		return nil, fmt.Errorf("deploy %s: %w", dir, err)
	}
	o.progress.Done(fmt.Sprintf("deployed stack %s in %s (%s)", env.stack.StackName, time.Since(start).Round(time.Millisecond), resources))
	return env, nil
}

// localAssembly finds what to deploy and the Go module the local cloud
// builds functions from: the assembly --assembly names, or the app in
// the current folder (its cdk.json, or --app) synthesized for the local
// cloud when stale, as the CDK CLI would synthesize it.
func localAssembly(ctx context.Context, o appOptions) (dir, moduleRoot string, err error) {
	cwd, err := os.Getwd()
	if err != nil {
		return "", "", err
	}
	if o.assemblyDir != "" {
		root, _ := synth.ModuleRoot(cwd) // a ready assembly may need none
		return o.assemblyDir, root, nil
	}
	app, err := synth.LoadApp(cwd, o.appCommand)
	if err != nil {
		return "", "", usageError{err.Error()}
	}
	dir, err = app.EnsureLocal(ctx, o.progress)
	return dir, app.ModuleRoot, err
}

// appFlag adds --app to a command: the command that synthesizes the app,
// instead of cdk.json's.
func appFlag(fs *flag.FlagSet) *string {
	return fs.String("app", "", `the command that synthesizes the CDK app, run in this folder as the CDK CLI runs it (default: "app" of ./cdk.json)`)
}

// close stops the local cloud and every process it started.
func (e *appEnv) close() {
	ctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
	defer cancel()
	_ = e.cloud.Close(ctx)
}

// iamFlag adds --iam to a command: IAM enforcement by the local cloud, on
// unless a person turns it off.
func iamFlag(fs *flag.FlagSet) func() (localcloud.IAMMode, error) {
	value := fs.String("iam", string(localcloud.IAMOn), "IAM enforcement by the local cloud: on or off")
	return func() (localcloud.IAMMode, error) {
		mode, err := localcloud.ParseIAMMode(*value)
		if err != nil {
			return "", usageError{"--iam: " + err.Error()}
		}
		return mode, nil
	}
}

// timeFlag adds --time to a command: real or virtual time in the local
// cloud, def unless a person says otherwise.
func timeFlag(fs *flag.FlagSet, def localcloud.TimeMode) func() (localcloud.TimeMode, error) {
	value := fs.String("time", string(def), "the local cloud's clock: real, or virtual (once nothing is in flight, it jumps to the next retry, backoff or timeout)")
	return func() (localcloud.TimeMode, error) {
		mode, err := localcloud.ParseTimeMode(*value)
		if err != nil {
			return "", usageError{"--time: " + err.Error()}
		}
		return mode, nil
	}
}

// noRollbackFlag adds --no-rollback to a command.
func noRollbackFlag(fs *flag.FlagSet) *bool {
	return fs.Bool("no-rollback", false, "keep a stack whose deployment fails CREATE_FAILED with its resources, as cdk deploy --no-rollback does")
}

// flagSet tells whether the command line set a flag.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
