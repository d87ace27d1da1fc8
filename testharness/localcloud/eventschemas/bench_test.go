package eventschemas_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsschemas "github.com/aws/aws-sdk-go-v2/service/schemas"
	"github.com/aws/aws-sdk-go-v2/service/schemas/types"

	"github.com/tracebridge/tracebridge/schemas"
)

// BenchmarkDescribeSchema is one SDK round trip reading an app schema.
func BenchmarkDescribeSchema(b *testing.B) {
	e := newEnv(b)
	ctx := context.Background()
	if _, err := e.client.CreateRegistry(ctx, &awsschemas.CreateRegistryInput{RegistryName: aws.String("app")}); err != nil {
		b.Fatal(err)
	}
	name := schemas.SchemaNameImageMetadataWritten
	if _, err := e.client.CreateSchema(ctx, &awsschemas.CreateSchemaInput{RegistryName: aws.String("app"), SchemaName: aws.String(name),
		Type: types.TypeJSONSchemaDraft4, Content: aws.String(schemas.JSONSchemas()[name])}); err != nil {
		b.Fatal(err)
	}
	in := &awsschemas.DescribeSchemaInput{RegistryName: aws.String("app"), SchemaName: aws.String(name)}
	for b.Loop() {
		if _, err := e.client.DescribeSchema(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
}
