// Command infra is the Tracebridge reference app's CDK app. `go run ./infra`
// builds the Go handlers and synthesizes the cloud assembly into infra/cdk.out
// (or $CDK_OUTDIR); `npx aws-cdk deploy` from infra/ deploys it (cdk.json).
//
// Synthesis runs the CDK through jsii, which needs node. On node 20 set
// JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20 to quiet its warning.
package main

import (
	"fmt"
	"os"

	"github.com/aws/jsii-runtime-go"
)

func main() {
	err := run()
	jsii.Close()
	if err != nil {
		fmt.Fprintln(os.Stderr, "infra:", err)
		os.Exit(1)
	}
}

func run() error {
	builder, err := DefaultBuilder()
	if err != nil {
		return err
	}
	builder.Progress = os.Stderr
	outDir := defaultOutDir(builder.ModuleRoot)
	if _, _, err := synthesize(outDir, builder); err != nil {
		return err
	}
	fmt.Fprintln(os.Stderr, "infra: cloud assembly written to", outDir)
	return nil
}
