// Package awstest builds real aws-sdk-go-v2 configurations that point at a
// local cloud endpoint, so tests drive the services through the clients
// applications use.
package awstest

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/tracebridge/tracebridge/testharness/localcloud/arn"
	"github.com/tracebridge/tracebridge/testharness/localcloud/identity"
)

// Config returns an SDK configuration for endpoint with the default user's
// credentials (test/test) in the local region. Build service clients from
// it; S3 clients also want UsePathStyle unless a test is about
// virtual-hosted addressing.
func Config(t testing.TB, endpoint string) aws.Config {
	t.Helper()
	cfg, err := config.LoadDefaultConfig(context.Background(),
		config.WithRegion(arn.Region),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(
			identity.DefaultAccessKeyID, identity.DefaultSecretAccessKey, "")),
		config.WithBaseEndpoint(endpoint),
		config.WithRetryMaxAttempts(1),
	)
	if err != nil {
		t.Fatalf("load SDK config: %v", err)
	}
	return cfg
}

// Static returns a provider of the given credentials, for a test that acts
// as a role session the local cloud issued.
func Static(c identity.Credentials) aws.CredentialsProvider {
	return credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, c.SessionToken)
}
