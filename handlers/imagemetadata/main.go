// Command imagemetadata is the image metadata Lambda function (built as
// bootstrap for provided.al2023): S3 "Object Created" events from
// EventBridge in, image_width/image_height user metadata and a completion
// event out. This file only wires; see handler.go.
package main

import (
	"context"
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-xray-sdk-go/instrumentation/awsv2"

	"github.com/tracebridge/tracebridge/schemas"
	"github.com/tracebridge/tracebridge/testharness/completion"
)

func main() {
	bus := os.Getenv(schemas.EnvEventBusName)
	if bus == "" {
		log.Fatalf("imagemetadata: %s is not set", schemas.EnvEventBusName)
	}
	// LoadDefaultConfig honours AWS_ENDPOINT_URL (and per-service
	// AWS_ENDPOINT_URL_S3 ...), which is how the local cloud is reached.
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		log.Fatalf("imagemetadata: load AWS config: %v", err)
	}
	awsv2.AWSV2Instrumentor(&cfg.APIOptions)
	s3Client := s3.NewFromConfig(cfg, func(o *s3.Options) {
		// A custom endpoint (the local cloud) has no per-bucket host names.
		o.UsePathStyle = cfg.BaseEndpoint != nil
	})
	h := &Handler{
		S3:     s3Client,
		Events: &completion.Publisher{Client: eventbridge.NewFromConfig(cfg), Bus: bus},
	}
	lambda.Start(h.Handle)
}
