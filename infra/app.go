package main

import (
	"os"
	"path/filepath"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/cxapi"
	"github.com/aws/jsii-runtime-go"
)

// synthesize builds the handlers, defines the app with cdk-nag applied, and
// writes the cloud assembly to outDir. main and the tests share it, so the
// tests check exactly what `go run ./infra` and `cdk deploy` produce.
func synthesize(outDir string, builder *GoBuilder) (*AppStack, cxapi.CloudAssembly, error) {
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(outDir)})
	stack, err := NewAppStack(app, StackName, &AppStackProps{Builder: builder})
	if err != nil {
		return nil, nil, err
	}
	checkCompliance(app)
	return stack, app.Synth(nil), nil
}

// defaultOutDir is $CDK_OUTDIR when the CDK CLI runs the app, and infra/cdk.out
// under the module root otherwise, whatever the working directory.
func defaultOutDir(moduleRoot string) string {
	if dir := os.Getenv("CDK_OUTDIR"); dir != "" {
		return dir
	}
	return filepath.Join(moduleRoot, "infra", "cdk.out")
}
