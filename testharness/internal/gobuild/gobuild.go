// Package gobuild holds what every build of an app's Lambda handlers for
// the local cloud shares, wherever it is made (cdkgo during synthesis, the
// local cloud for a function that names a package, the CLI's warm-up while
// the CDK app compiles): the Go build cache reuses a compiled package only
// for the same tags and settings.
package gobuild

// LambdaTags are the build tags of every handler: lambda.norpc drops
// aws-lambda-go's net/rpc path, which provided.al2023 never uses.
const LambdaTags = "lambda.norpc"

// HarnessImportPrefix is the import path of the public packages whose
// Main the harness's generated function mains call (cdkharness).
const HarnessImportPrefix = "github.com/tracebridge/tracebridge/testharness/"

// HarnessFunctions are the harness's functions, each built from the
// package of that name under HarnessImportPrefix; every app with the
// harness builds all three.
var HarnessFunctions = []string{"runner", "await", "starter"}
