package synth

import (
	"os"
	"os/exec"
	"syscall"

	"github.com/tracebridge/tracebridge/testharness/internal/gobuild"
)

// warmHandlerBuild starts compiling, into the Go build cache, the packages
// of the harness's functions (gobuild.HarnessFunctions) while the app
// compiles, and returns what stops it once synthesis is over. On a first
// run the CDK app's compile leaves a core idle for long stretches (the
// CDK's packages form a chain: awsec2, then awslambda, then the link), and
// the harness functions link what neither the CLI nor the CDK app does
// (the X-Ray SDK with gRPC and protobuf, a dozen AWS SDK clients): the
// handler build that synthesis runs next then finds them compiled. It runs
// at the lowest CPU priority, so that it only takes what the app's compile
// leaves, with the handler build's tags and the go command's defaults, as
// cdkgo builds for the local cloud, so that the cache entries are the
// ones that build looks for.
//
// It is a best effort: an app whose module does not have the harness
// makes the go command fail at once, which changes nothing, and its
// output is discarded.
func (a *App) warmHandlerBuild() (stop func()) {
	if a.ModuleRoot == "" {
		return func() {}
	}
	args := []string{"go", "build", "-tags", gobuild.LambdaTags}
	for _, fn := range gobuild.HarnessFunctions {
		args = append(args, gobuild.HarnessImportPrefix+fn)
	}
	if nice, err := exec.LookPath("nice"); err == nil {
		args = append([]string{nice, "-n", "19"}, args...)
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Dir = a.ModuleRoot
	cmd.Env = os.Environ()
	// Its own process group, so that stopping it stops the compilers the
	// go command started too.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return func() {}
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(done)
	}()
	return func() {
		select {
		case <-done:
		default:
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
	}
}
