// Package fnmain is what the harness functions' Main functions share: the
// environment they must be given and the AWS configuration they build
// their clients from. A Lambda main cannot go on without either, so it
// stops with the reason in the function's log.
package fnmain

import (
	"context"
	"log"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-xray-sdk-go/instrumentation/awsv2"
)

// Getenv returns the environment variable name, which the harness
// construct sets; fn names the function in the message when it is not.
func Getenv(fn, name string) string {
	v := os.Getenv(name)
	if v == "" {
		log.Fatalf("%s: %s is not set", fn, name)
	}
	return v
}

// AWSConfig is the SDK configuration of the function's clients, their
// calls traced by X-Ray. LoadDefaultConfig honours AWS_ENDPOINT_URL: the
// local cloud.
func AWSConfig(fn string) aws.Config {
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		log.Fatalf("%s: load AWS config: %v", fn, err)
	}
	awsv2.AWSV2Instrumentor(&cfg.APIOptions)
	return cfg
}
