package main

import (
	"context"
	"flag"
	"fmt"
	"io"
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
	assemblyDir string // "" synthesizes the app when stale
	progress    io.Writer
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
	cwd, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	root, err := synth.ModuleRoot(cwd)
	if err != nil {
		return nil, err
	}
	dir := o.assemblyDir
	if dir == "" {
		dir = synth.DefaultAssemblyDir(root)
		if err := synth.Ensure(ctx, root, dir, o.progress); err != nil {
			return nil, err
		}
	}
	cloud, err := localcloud.Start(localcloud.Options{Addr: o.addr, SourceRoot: root, IAM: o.iam})
	if err != nil {
		return nil, err
	}
	env := &appEnv{cloud: cloud}
	if o.beforeDeploy != nil {
		if err := o.beforeDeploy(cloud, dir); err != nil {
			env.close()
			return nil, err
		}
	}
	fmt.Fprintf(o.progress, "deploying %s to the local cloud (builds the handlers for this machine)…\n", dir)
	start := time.Now()
	env.stack, err = cloud.CloudFormation.Deploy(ctx, dir, cloudformation.DeployOptions{DisableRollback: o.noRollback})
	if observeDeployment != nil && env.stack != nil {
		observeDeployment(cloud, env.stack)
	}
	if err != nil {
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
	fmt.Fprintf(o.progress, "deployed stack %s in %s\n", env.stack.StackName, time.Since(start).Round(time.Millisecond))
	return env, nil
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
