// Package awstest builds real aws-sdk-go-v2 configurations that point at a
// local cloud endpoint, so tests drive the services through the clients
// applications use.
package awstest

import (
	"context"
	"io"
	"net/http"
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
	cfg.HTTPClient = plainBodies{cfg.HTTPClient}
	return cfg
}

// Static returns a provider of the given credentials, for a test that acts
// as a role session the local cloud issued.
func Static(c identity.Credentials) aws.CredentialsProvider {
	return credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, c.SessionToken)
}

// plainBodies sends request bodies as plain readers. smithy-go closes a
// request body as soon as the response arrives, and a closed body's
// WriteTo answers io.EOF as an error; when a loopback server answers
// before net/http has made its final read of the body (the check that
// nothing follows Content-Length), net/http takes that error for a failed
// write and closes the connection under the response being read ("use of
// closed network connection"). A body without WriteTo is read with Read,
// whose io.EOF ends the copy cleanly. Real endpoints are too far away for
// the race to show.
type plainBodies struct{ client aws.HTTPClient }

func (p plainBodies) Do(r *http.Request) (*http.Response, error) {
	if r.Body != nil && r.Body != http.NoBody {
		r.Body = readOnlyBody{r.Body}
	}
	return p.client.Do(r)
}

// readOnlyBody hides every method of a body but Read and Close.
type readOnlyBody struct{ io.ReadCloser }
