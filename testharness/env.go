package testharness

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"unicode"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/xray"

	"github.com/tracebridge/tracebridge/schemas"
	"github.com/tracebridge/tracebridge/testharness/localenv"
)

// Environment variables of the harness functions. The harness construct
// (testharness/cdkharness) sets them; the functions' Main reads them once.
const (
	// EnvHarnessTable names the harness table (PK string, TTL on
	// HarnessTableTTLAttribute) where the await function pairs task tokens
	// with completion events. Await function.
	EnvHarnessTable = "HARNESS_TABLE"
	// EnvStateMachineArn is the test state machine the starter starts.
	EnvStateMachineArn = "TEST_STATE_MACHINE_ARN"
	// EnvEventBusName is the app's bus, where the runner puts the run's
	// TestRunCompleted event.
	EnvEventBusName = schemas.EnvEventBusName
	// EnvOutputNames lists, comma-separated, the stack outputs the
	// runner's environment carries for the tests, each in the variable
	// OutputEnvVar names (see OutputsFromEnviron).
	EnvOutputNames = "TEST_OUTPUT_NAMES"
)

// TestRunResourceType is the CloudFormation type of the deploy-time check,
// the custom resource whose creation runs the suite. The harness construct
// defines it; the CLI and the tests recognise it.
const TestRunResourceType = "Custom::TestRun"

// The harness table's key and TTL attributes, for the harness construct.
const (
	HarnessTablePartitionKey = "PK"
	HarnessTableTTLAttribute = "expiresAt"
)

// OutputEnvVar is the runner's environment variable that carries a stack
// output: the output's name in upper snake case, "BucketName" →
// "BUCKET_NAME", "S3BucketARN" → "S3_BUCKET_ARN".
func OutputEnvVar(output string) string {
	r := []rune(output)
	var b strings.Builder
	for i, c := range r {
		if i > 0 && unicode.IsUpper(c) {
			prev := r[i-1]
			nextLower := i+1 < len(r) && unicode.IsLower(r[i+1])
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || unicode.IsUpper(prev) && nextLower {
				b.WriteByte('_')
			}
		}
		b.WriteRune(unicode.ToUpper(c))
	}
	return b.String()
}

// OutputsFromEnviron reads the stack outputs EnvOutputNames lists from the
// runner function's environment; every one must be set. Without
// EnvOutputNames the tests read no output.
func OutputsFromEnviron(getenv func(string) string) (map[string]string, error) {
	outputs := map[string]string{}
	var missing []string
	for _, name := range strings.Split(getenv(EnvOutputNames), ",") {
		if name == "" {
			continue
		}
		v := getenv(OutputEnvVar(name))
		if v == "" {
			missing = append(missing, OutputEnvVar(name))
			continue
		}
		outputs[name] = v
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return nil, fmt.Errorf("environment variables not set: %s (%s lists their outputs)", strings.Join(missing, ", "), EnvOutputNames)
	}
	return outputs, nil
}

// Env is what a test acts and asserts with: the app's stack outputs and
// AWS clients built once from one configuration.
type Env struct {
	// Outputs are the app stack's outputs by name (schemas.Output*).
	Outputs map[string]string
	// AWS is the configuration the clients were built from.
	AWS aws.Config

	S3             *s3.Client
	DynamoDB       *dynamodb.Client
	CloudWatchLogs *cloudwatchlogs.Client
	XRay           *xray.Client
	EventBridge    *eventbridge.Client
}

// NewEnv builds the clients from cfg (S3 as NewS3Client does).
func NewEnv(cfg aws.Config, outputs map[string]string) *Env {
	return &Env{
		Outputs:        outputs,
		AWS:            cfg,
		S3:             NewS3Client(cfg),
		DynamoDB:       dynamodb.NewFromConfig(cfg),
		CloudWatchLogs: cloudwatchlogs.NewFromConfig(cfg),
		XRay:           xray.NewFromConfig(cfg),
		EventBridge:    eventbridge.NewFromConfig(cfg),
	}
}

// NewS3Client is an S3 client for cfg: path-style when cfg has a custom
// endpoint, since the local cloud has no per-bucket host names.
func NewS3Client(cfg aws.Config) *s3.Client {
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.UsePathStyle = cfg.BaseEndpoint != nil
	})
}

// Output returns a stack output, or an error naming it when it is missing.
func (e *Env) Output(name string) (string, error) {
	v := e.Outputs[name]
	if v == "" {
		return "", fmt.Errorf("the stack has no output %s", name)
	}
	return v, nil
}

// LocalConfig is an SDK configuration for a local cloud at endpoint: its
// default credentials (test/test), its region, no SDK retries (the local
// cloud does not throttle, and a retry would hide a real error).
func LocalConfig(ctx context.Context, endpoint string) (aws.Config, error) {
	cfg, err := config.LoadDefaultConfig(ctx,
		config.WithRegion(localenv.Region),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(
			localenv.AccessKeyID, localenv.SecretAccessKey, "")),
		config.WithBaseEndpoint(endpoint),
		config.WithRetryMaxAttempts(1),
	)
	if err != nil {
		return aws.Config{}, fmt.Errorf("SDK configuration for %s: %w", endpoint, err)
	}
	return cfg, nil
}
