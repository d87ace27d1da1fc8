package cdkgo

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
)

// LocalCloudAssetsContextKey is the CDK context flag with which
// `tracebridge test` and `tracebridge local up` synthesize the app for the
// local cloud: the handlers are built for this machine and the local cloud
// runs those very executables (Builder.ForLocalCloud). It is for the
// local cloud's own assembly only; an AWS deployment leaves it unset.
const LocalCloudAssetsContextKey = "tracebridge:localCloudAssets"

// LocalCloudAssets reads LocalCloudAssetsContextKey from the context the
// CDK CLI (or `tracebridge test`) gives the app in $CDK_CONTEXT_JSON. An
// app reads it before it creates its awscdk.App, so that the builder
// knows its target and can start compiling before jsii starts.
func LocalCloudAssets() (bool, error) {
	raw := os.Getenv("CDK_CONTEXT_JSON")
	if raw == "" {
		return false, nil
	}
	var ctx map[string]any
	if err := json.Unmarshal([]byte(raw), &ctx); err != nil {
		return false, fmt.Errorf("read $CDK_CONTEXT_JSON: %w", err)
	}
	return ContextTrue(ctx[LocalCloudAssetsContextKey]), nil
}

// ContextTrue reads a boolean CDK context flag: true, or "true" as
// `cdk -c` passes it (anything strconv.ParseBool takes for true).
func ContextTrue(v any) bool {
	switch v := v.(type) {
	case bool:
		return v
	case string:
		b, err := strconv.ParseBool(v)
		return err == nil && b
	}
	return false
}
