package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/cxapi"
	"github.com/aws/jsii-runtime-go"

	"github.com/tracebridge/tracebridge/testharness/cdkgo"
	"github.com/tracebridge/tracebridge/testharness/cdkharness"
)

// synthesize builds the handlers, defines the app with cdk-nag applied, and
// writes the cloud assembly to outDir. main and the tests share it, so the
// tests check exactly what `go run ./infra` and `cdk deploy` produce.
//
// Every handler, the harness functions' generated mains among them, is
// compiled in one go build that starts before jsii loads the CDK, so
// compiling overlaps with loading it and defining the constructs; each
// function's Build waits for its executable.
func synthesize(outDir string, builder *cdkgo.Builder) (*AppStack, cxapi.CloudAssembly, error) {
	localCloud, err := cdkgo.LocalCloudAssets()
	if err != nil {
		return nil, nil, err
	}
	builder.ForLocalCloud = localCloud
	pkgs, err := handlerPackages(builder.ModuleRoot)
	if err != nil {
		return nil, nil, err
	}
	mains, err := cdkharness.SuiteMains(builder, SuitePackage)
	if err != nil {
		return nil, nil, err
	}
	pkgs = append(pkgs, mains.All()...)
	// A failure shows again, for the package concerned, when its
	// function's Build compiles it alone.
	wait := builder.StartBuildAll(pkgs...)
	defer func() { _ = wait() }()
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(outDir)})
	if seen := cdkgo.ContextTrue(app.Node().TryGetContext(jsii.String(cdkgo.LocalCloudAssetsContextKey))); seen != localCloud {
		return nil, nil, fmt.Errorf("context %s: the app sees %v, $CDK_CONTEXT_JSON says %v (the handlers are built before the app exists, from $CDK_CONTEXT_JSON)",
			cdkgo.LocalCloudAssetsContextKey, seen, localCloud)
	}
	stack, err := NewAppStack(app, StackName, &AppStackProps{Builder: builder})
	if err != nil {
		return nil, nil, err
	}
	checkCompliance(app)
	return stack, app.Synth(nil), nil
}

// DefaultBuilder builds the reference app's handlers into infra/build
// under the module root, from any directory inside the module.
func DefaultBuilder() (*cdkgo.Builder, error) {
	root, err := cdkgo.ModuleRoot()
	if err != nil {
		return nil, err
	}
	return &cdkgo.Builder{ModuleRoot: root, OutDir: filepath.Join(root, "infra", "build")}, nil
}

// handlerPackages are the Lambda handlers' packages, one folder with a
// main.go per function under handlers/ (the project's layout), as paths
// relative to the module root.
func handlerPackages(moduleRoot string) ([]string, error) {
	mains, err := filepath.Glob(filepath.Join(moduleRoot, "handlers", "*", "main.go"))
	if err != nil {
		return nil, fmt.Errorf("find the handlers: %w", err)
	}
	pkgs := make([]string, 0, len(mains))
	for _, m := range mains {
		pkgs = append(pkgs, "./handlers/"+filepath.Base(filepath.Dir(m)))
	}
	sort.Strings(pkgs)
	return pkgs, nil
}

// defaultOutDir is $CDK_OUTDIR when the CDK CLI runs the app, and infra/cdk.out
// under the module root otherwise, whatever the working directory.
func defaultOutDir(moduleRoot string) string {
	if dir := os.Getenv("CDK_OUTDIR"); dir != "" {
		return dir
	}
	return filepath.Join(moduleRoot, "infra", "cdk.out")
}
