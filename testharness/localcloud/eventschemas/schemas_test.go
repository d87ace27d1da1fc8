package eventschemas_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsschemas "github.com/aws/aws-sdk-go-v2/service/schemas"
	"github.com/aws/aws-sdk-go-v2/service/schemas/types"
)

const orderSchema = `{"$schema":"http://json-schema.org/draft-04/schema#","type":"object","properties":{"id":{"type":"string"}}}`

const openAPISchema = `{"openapi":"3.0.0","info":{"version":"1.0.0","title":"Event"},"paths":{},"components":{"schemas":{"Event":{"type":"object"}}}}`

func (e *env) registry(t *testing.T, name string) {
	t.Helper()
	if _, err := e.client.CreateRegistry(context.Background(), &awsschemas.CreateRegistryInput{RegistryName: aws.String(name)}); err != nil {
		t.Fatalf("CreateRegistry %s: %v", name, err)
	}
}

func TestSchemaVersionsThroughTheAPI(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.registry(t, "app")
	created, err := e.client.CreateSchema(ctx, &awsschemas.CreateSchemaInput{RegistryName: aws.String("app"),
		SchemaName: aws.String("app@OrderPlaced"), Type: types.TypeJSONSchemaDraft4, Content: aws.String(orderSchema),
		Description: aws.String("orders"), Tags: map[string]string{"k": "v"}})
	if err != nil {
		t.Fatalf("CreateSchema: %v", err)
	}
	wantARN := "arn:aws:schemas:us-east-1:000000000000:schema/app/app@OrderPlaced"
	if aws.ToString(created.SchemaArn) != wantARN || aws.ToString(created.SchemaVersion) != "1" ||
		aws.ToString(created.Type) != "JSONSchemaDraft4" || !created.VersionCreatedDate.Equal(start) || created.Tags["k"] != "v" {
		t.Errorf("CreateSchema = %+v", created)
	}
	_, err = e.client.CreateSchema(ctx, &awsschemas.CreateSchemaInput{RegistryName: aws.String("app"),
		SchemaName: aws.String("app@OrderPlaced"), Type: types.TypeJSONSchemaDraft4, Content: aws.String(orderSchema)})
	// CreateSchema's SDK model lists no ConflictException, so the client
	// reports it as a generic API error with that code.
	wantError(t, err, "ConflictException", "Schema with name app@OrderPlaced already exists.")

	e.clock.Advance(time.Minute)
	v2 := strings.Replace(orderSchema, `"id"`, `"orderId"`, 1)
	upd, err := e.client.UpdateSchema(ctx, &awsschemas.UpdateSchemaInput{RegistryName: aws.String("app"),
		SchemaName: aws.String("app@OrderPlaced"), Content: aws.String(v2)})
	if err != nil || aws.ToString(upd.SchemaVersion) != "2" || !upd.VersionCreatedDate.Equal(start.Add(time.Minute)) {
		t.Fatalf("UpdateSchema content = %+v, %v", upd, err)
	}
	// A description change alone makes no version.
	upd, err = e.client.UpdateSchema(ctx, &awsschemas.UpdateSchemaInput{RegistryName: aws.String("app"),
		SchemaName: aws.String("app@OrderPlaced"), Description: aws.String("orders v2")})
	if err != nil || aws.ToString(upd.SchemaVersion) != "2" || aws.ToString(upd.Description) != "orders v2" {
		t.Fatalf("UpdateSchema description = %+v, %v", upd, err)
	}

	latest, err := e.client.DescribeSchema(ctx, &awsschemas.DescribeSchemaInput{RegistryName: aws.String("app"), SchemaName: aws.String("app@OrderPlaced")})
	if err != nil || aws.ToString(latest.Content) != v2 || aws.ToString(latest.SchemaVersion) != "2" ||
		!latest.LastModified.Equal(start.Add(time.Minute)) || aws.ToString(latest.SchemaArn) != wantARN {
		t.Fatalf("DescribeSchema latest = %+v, %v", latest, err)
	}
	first, err := e.client.DescribeSchema(ctx, &awsschemas.DescribeSchemaInput{RegistryName: aws.String("app"),
		SchemaName: aws.String("app@OrderPlaced"), SchemaVersion: aws.String("1")})
	if err != nil || aws.ToString(first.Content) != orderSchema || !first.VersionCreatedDate.Equal(start) {
		t.Fatalf("DescribeSchema v1 = %+v, %v", first, err)
	}
	_, err = e.client.DescribeSchema(ctx, &awsschemas.DescribeSchemaInput{RegistryName: aws.String("app"),
		SchemaName: aws.String("app@OrderPlaced"), SchemaVersion: aws.String("3")})
	wantError(t, err, "NotFoundException", "")

	versions, err := e.client.ListSchemaVersions(ctx, &awsschemas.ListSchemaVersionsInput{RegistryName: aws.String("app"), SchemaName: aws.String("app@OrderPlaced")})
	if err != nil || len(versions.SchemaVersions) != 2 || aws.ToString(versions.SchemaVersions[1].SchemaVersion) != "2" ||
		versions.SchemaVersions[0].Type != types.TypeJSONSchemaDraft4 {
		t.Fatalf("ListSchemaVersions = %+v, %v", versions, err)
	}

	if _, err := e.client.CreateSchema(ctx, &awsschemas.CreateSchemaInput{RegistryName: aws.String("app"),
		SchemaName: aws.String("Event"), Type: types.TypeOpenApi3, Content: aws.String(openAPISchema)}); err != nil {
		t.Fatalf("CreateSchema OpenApi3: %v", err)
	}
	list, err := e.client.ListSchemas(ctx, &awsschemas.ListSchemasInput{RegistryName: aws.String("app")})
	if err != nil || len(list.Schemas) != 2 || aws.ToString(list.Schemas[0].SchemaName) != "Event" ||
		aws.ToInt64(list.Schemas[1].VersionCount) != 2 {
		t.Fatalf("ListSchemas = %+v, %v", list, err)
	}
	prefixed, err := e.client.ListSchemas(ctx, &awsschemas.ListSchemasInput{RegistryName: aws.String("app"), SchemaNamePrefix: aws.String("app@")})
	if err != nil || len(prefixed.Schemas) != 1 {
		t.Fatalf("ListSchemas prefix = %+v, %v", prefixed, err)
	}

	if _, err := e.client.DeleteSchema(ctx, &awsschemas.DeleteSchemaInput{RegistryName: aws.String("app"), SchemaName: aws.String("Event")}); err != nil {
		t.Fatalf("DeleteSchema: %v", err)
	}
	_, err = e.client.DescribeSchema(ctx, &awsschemas.DescribeSchemaInput{RegistryName: aws.String("app"), SchemaName: aws.String("Event")})
	wantError(t, err, "NotFoundException", "Schema with name Event does not exist.")
}

func TestSchemaErrors(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, err := e.client.CreateSchema(ctx, &awsschemas.CreateSchemaInput{RegistryName: aws.String("missing"),
		SchemaName: aws.String("s"), Type: types.TypeOpenApi3, Content: aws.String(openAPISchema)})
	wantError(t, err, "NotFoundException", "Registry with name missing does not exist.")
	_, err = e.client.ListSchemas(ctx, &awsschemas.ListSchemasInput{RegistryName: aws.String("missing")})
	wantError(t, err, "NotFoundException", "Registry with name missing does not exist.")

	e.registry(t, "app")
	var bad *types.BadRequestException
	for _, c := range []struct {
		name, typ, content string
	}{
		{"unknown type", "Avro", orderSchema},
		{"not JSON", "JSONSchemaDraft4", `{"type":`},
		{"JSON array", "JSONSchemaDraft4", `[{"type":"object"}]`},
		{"trailing document", "JSONSchemaDraft4", `{} {}`},
		{"other draft", "JSONSchemaDraft4", `{"$schema":"http://json-schema.org/draft-07/schema#"}`},
		{"bad draft-04 type", "JSONSchemaDraft4", `{"type":"map"}`},
		{"OpenApi3 without version", "OpenApi3", `{"info":{}}`},
		{"OpenApi3 version 2", "OpenApi3", `{"swagger":"2.0","openapi":"2.0"}`},
		{"too long", "JSONSchemaDraft4", `{"description":"` + strings.Repeat("x", 100000) + `"}`},
	} {
		_, err := e.client.CreateSchema(ctx, &awsschemas.CreateSchemaInput{RegistryName: aws.String("app"),
			SchemaName: aws.String("s"), Type: types.Type(c.typ), Content: aws.String(c.content)})
		if !errors.As(err, &bad) {
			t.Errorf("%s: want BadRequestException, got %v", c.name, err)
		}
	}
	_, err = e.client.CreateSchema(ctx, &awsschemas.CreateSchemaInput{RegistryName: aws.String("app"),
		SchemaName: aws.String("bad/name"), Type: types.TypeOpenApi3, Content: aws.String(openAPISchema)})
	if err == nil {
		t.Error("a schema name with a slash was accepted")
	}
	if _, err := e.client.CreateSchema(ctx, &awsschemas.CreateSchemaInput{RegistryName: aws.String("app"),
		SchemaName: aws.String("s"), Type: types.TypeJSONSchemaDraft4, Content: aws.String(orderSchema)}); err != nil {
		t.Fatal(err)
	}
	_, err = e.client.UpdateSchema(ctx, &awsschemas.UpdateSchemaInput{RegistryName: aws.String("app"),
		SchemaName: aws.String("s"), Content: aws.String(`not json`)})
	wantError(t, err, "BadRequestException", "")
	_, err = e.client.UpdateSchema(ctx, &awsschemas.UpdateSchemaInput{RegistryName: aws.String("app"),
		SchemaName: aws.String("s"), Type: "Protobuf"})
	wantError(t, err, "BadRequestException", "Invalid Type \"Protobuf\": valid types are OpenApi3 and JSONSchemaDraft4.")
	_, err = e.client.UpdateSchema(ctx, &awsschemas.UpdateSchemaInput{RegistryName: aws.String("app"),
		SchemaName: aws.String("nope"), Content: aws.String(orderSchema)})
	wantError(t, err, "NotFoundException", "Schema with name nope does not exist.")
	_, err = e.client.DeleteSchema(ctx, &awsschemas.DeleteSchemaInput{RegistryName: aws.String("app"), SchemaName: aws.String("nope")})
	wantError(t, err, "NotFoundException", "Schema with name nope does not exist.")
	_, err = e.client.ListSchemaVersions(ctx, &awsschemas.ListSchemaVersionsInput{RegistryName: aws.String("app"), SchemaName: aws.String("nope")})
	wantError(t, err, "NotFoundException", "")
	// The failed updates made no version.
	v, err := e.client.DescribeSchema(ctx, &awsschemas.DescribeSchemaInput{RegistryName: aws.String("app"), SchemaName: aws.String("s")})
	if err != nil || aws.ToString(v.SchemaVersion) != "1" {
		t.Fatalf("after failed updates: %+v, %v", v, err)
	}
}

func TestDeleteRegistryDropsItsSchemas(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.registry(t, "app")
	if _, err := e.client.CreateSchema(ctx, &awsschemas.CreateSchemaInput{RegistryName: aws.String("app"),
		SchemaName: aws.String("s"), Type: types.TypeJSONSchemaDraft4, Content: aws.String(orderSchema)}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.DeleteRegistry(ctx, &awsschemas.DeleteRegistryInput{RegistryName: aws.String("app")}); err != nil {
		t.Fatal(err)
	}
	e.registry(t, "app")
	list, err := e.client.ListSchemas(ctx, &awsschemas.ListSchemasInput{RegistryName: aws.String("app")})
	if err != nil || len(list.Schemas) != 0 {
		t.Fatalf("schemas of a recreated registry = %+v, %v", list, err)
	}
}
