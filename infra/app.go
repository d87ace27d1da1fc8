package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/cxapi"
	"github.com/aws/jsii-runtime-go"
)

// LocalCloudAssetsContextKey is the CDK context flag with which
// `tracebridge test` and `tracebridge local up` synthesize the app for the
// local cloud: the handlers are built for this machine and the local cloud
// runs those very executables (GoBuilder.ForLocalCloud). It is for the
// local cloud's own assembly only; an AWS deployment leaves it unset.
const LocalCloudAssetsContextKey = "tracebridge:localCloudAssets"

// synthesize builds the handlers, defines the app with cdk-nag applied, and
// writes the cloud assembly to outDir. main and the tests share it, so the
// tests check exactly what `go run ./infra` and `cdk deploy` produce.
//
// Every handler is compiled in one go build that starts before jsii loads
// the CDK, so compiling overlaps with loading it and defining the
// constructs; each function's Build waits for its executable.
func synthesize(outDir string, builder *GoBuilder) (*AppStack, cxapi.CloudAssembly, error) {
	localCloud, err := localCloudAssets()
	if err != nil {
		return nil, nil, err
	}
	builder.ForLocalCloud = localCloud
	pkgs, err := handlerPackages(builder.ModuleRoot)
	if err != nil {
		return nil, nil, err
	}
	// A failure shows again, for the package concerned, when its
	// function's Build compiles it alone.
	wait := builder.StartBuildAll(pkgs...)
	defer func() { _ = wait() }()
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(outDir)})
	if seen := contextTrue(app.Node().TryGetContext(jsii.String(LocalCloudAssetsContextKey))); seen != localCloud {
		return nil, nil, fmt.Errorf("context %s: the app sees %v, $CDK_CONTEXT_JSON says %v (the handlers are built before the app exists, from $CDK_CONTEXT_JSON)",
			LocalCloudAssetsContextKey, seen, localCloud)
	}
	stack, err := NewAppStack(app, StackName, &AppStackProps{Builder: builder})
	if err != nil {
		return nil, nil, err
	}
	checkCompliance(app)
	return stack, app.Synth(nil), nil
}

// localCloudAssets reads LocalCloudAssetsContextKey from the context the
// CDK CLI (or `tracebridge test`) gives the app in $CDK_CONTEXT_JSON,
// before the app exists, so that the handlers' target is known before
// jsii starts.
func localCloudAssets() (bool, error) {
	raw := os.Getenv("CDK_CONTEXT_JSON")
	if raw == "" {
		return false, nil
	}
	var ctx map[string]any
	if err := json.Unmarshal([]byte(raw), &ctx); err != nil {
		return false, fmt.Errorf("read $CDK_CONTEXT_JSON: %w", err)
	}
	return contextTrue(ctx[LocalCloudAssetsContextKey]), nil
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
