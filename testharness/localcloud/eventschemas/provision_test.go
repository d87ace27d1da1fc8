package eventschemas_test

import (
	"context"
	"encoding/json"
	"errors"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsschemas "github.com/aws/aws-sdk-go-v2/service/schemas"

	"github.com/tracebridge/tracebridge/schemas"
	"github.com/tracebridge/tracebridge/testharness/localcloud/cfnresource"
	"github.com/tracebridge/tracebridge/testharness/localcloud/cloudformation"
)

// appTemplate is a stack with one generated-name registry and the app's
// JSON Schemas in it, each schema's ARN and version as outputs.
func appTemplate(t *testing.T, contents map[string]string) []byte {
	t.Helper()
	resources := map[string]any{"Registry": map[string]any{"Type": "AWS::EventSchemas::Registry",
		"Properties": map[string]any{"Description": "Tracebridge app contracts"}}}
	outputs := map[string]any{"RegistryArn": map[string]any{"Value": map[string]any{"Ref": "Registry"}},
		"RegistryName": map[string]any{"Value": map[string]any{"Fn::GetAtt": []any{"Registry", "RegistryName"}}}}
	names := make([]string, 0, len(contents))
	for n := range contents {
		names = append(names, n)
	}
	sort.Strings(names)
	for i, name := range names {
		id := "Schema" + string(rune('A'+i))
		resources[id] = map[string]any{"Type": "AWS::EventSchemas::Schema", "Properties": map[string]any{
			"RegistryName": map[string]any{"Fn::GetAtt": []any{"Registry", "RegistryName"}},
			"SchemaName":   name, "Type": schemas.JSONSchemaType, "Content": contents[name],
			"Tags": []any{map[string]any{"Key": "contract", "Value": "app"}}}}
		outputs[id+"Arn"] = map[string]any{"Value": map[string]any{"Ref": id}}
		outputs[id+"Version"] = map[string]any{"Value": map[string]any{"Fn::GetAtt": []any{id, "SchemaVersion"}}}
		outputs[id+"Name"] = map[string]any{"Value": map[string]any{"Fn::GetAtt": []any{id, "SchemaName"}}}
	}
	body, err := json.Marshal(map[string]any{"Resources": resources, "Outputs": outputs})
	if err != nil {
		t.Fatal(err)
	}
	return body
}

func TestAppSchemasDeployUpdateAndDelete(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	engine := cloudformation.New(cloudformation.Options{Clock: e.clock, Provisioners: e.svc.Provisioners(), Concurrency: 2})
	contents := schemas.JSONSchemas()
	if len(contents) != 7 {
		t.Fatalf("the app has %d JSON Schemas, this test expects 7", len(contents))
	}
	res, err := engine.DeployTemplate(ctx, cloudformation.TemplateInput{StackName: "App", Body: appTemplate(t, contents)})
	if err != nil {
		t.Fatalf("deploy: %v", err)
	}
	registry := res.Outputs["RegistryName"]
	if !strings.HasPrefix(registry, "App-Registry-") || res.Outputs["RegistryArn"] != "arn:aws:schemas:us-east-1:000000000000:registry/"+registry {
		t.Fatalf("registry outputs = %v", res.Outputs)
	}
	for name, content := range contents {
		out, err := e.client.DescribeSchema(ctx, &awsschemas.DescribeSchemaInput{RegistryName: aws.String(registry), SchemaName: aws.String(name)})
		if err != nil {
			t.Fatalf("DescribeSchema %s: %v", name, err)
		}
		if aws.ToString(out.Content) != content || aws.ToString(out.Type) != "JSONSchemaDraft4" ||
			aws.ToString(out.SchemaVersion) != "1" || out.Tags["contract"] != "app" {
			t.Errorf("%s: version %s type %s tags %v, content equal %v", name, aws.ToString(out.SchemaVersion),
				aws.ToString(out.Type), out.Tags, aws.ToString(out.Content) == content)
		}
	}
	if res.Outputs["SchemaAVersion"] != "1" || res.Outputs["SchemaAArn"] != "arn:aws:schemas:us-east-1:000000000000:schema/"+registry+"/"+res.Outputs["SchemaAName"] {
		t.Errorf("schema outputs = %v", res.Outputs)
	}

	// Changing one document updates that schema in place: same ARN, version 2.
	changedName := res.Outputs["SchemaAName"]
	changed := map[string]string{}
	for k, v := range contents {
		changed[k] = v
	}
	changed[changedName] = strings.Replace(contents[changedName], `"type": "object"`, `"type": "object", "minProperties": 1`, 1)
	if changed[changedName] == contents[changedName] {
		t.Fatalf("test setup: schema %s has no top-level \"type\": \"object\" to change", changedName)
	}
	up, err := engine.DeployTemplate(ctx, cloudformation.TemplateInput{StackName: "App", Body: appTemplate(t, changed)})
	if err != nil || up.Status != cloudformation.StatusUpdateComplete {
		t.Fatalf("update: %v %+v", err, up)
	}
	if up.Outputs["SchemaAVersion"] != "2" || up.Outputs["SchemaAArn"] != res.Outputs["SchemaAArn"] ||
		up.Outputs["SchemaBVersion"] != "1" || up.Outputs["RegistryName"] != registry {
		t.Errorf("outputs after update = %v", up.Outputs)
	}
	versions, err := e.client.ListSchemaVersions(ctx, &awsschemas.ListSchemaVersionsInput{RegistryName: aws.String(registry), SchemaName: aws.String(changedName)})
	if err != nil || len(versions.SchemaVersions) != 2 {
		t.Fatalf("versions after update = %+v, %v", versions, err)
	}
	v1, err := e.client.DescribeSchema(ctx, &awsschemas.DescribeSchemaInput{RegistryName: aws.String(registry),
		SchemaName: aws.String(changedName), SchemaVersion: aws.String("1")})
	if err != nil || aws.ToString(v1.Content) != contents[changedName] {
		t.Fatalf("version 1 after update: %v", err)
	}

	if err := engine.DeleteStack(ctx, "App"); err != nil {
		t.Fatalf("DeleteStack: %v", err)
	}
	list, err := e.client.ListRegistries(ctx, &awsschemas.ListRegistriesInput{})
	if err != nil || len(list.Registries) != 0 {
		t.Fatalf("registries after delete = %+v, %v", list, err)
	}
}

func TestSchemaProvisionerRejectsBadInput(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	engine := cloudformation.New(cloudformation.Options{Clock: e.clock, Provisioners: e.svc.Provisioners(), Concurrency: 1})
	tmpl := `{"Resources": {
		"Registry": {"Type": "AWS::EventSchemas::Registry", "Properties": {"RegistryName": "app"}},
		"Schema": {"Type": "AWS::EventSchemas::Schema", "Properties": {"RegistryName": {"Fn::GetAtt": ["Registry", "RegistryName"]},
			"SchemaName": "s", "Type": "Avro", "Content": "{}"}}}}`
	res, err := engine.DeployTemplate(ctx, cloudformation.TemplateInput{StackName: "Bad", Body: []byte(tmpl)})
	var deployErr *cloudformation.DeployError
	if !errors.As(err, &deployErr) || res.Status != cloudformation.StatusRollbackComplete {
		t.Fatalf("deploy with Type Avro: %v %+v", err, res)
	}
	if !strings.Contains(err.Error(), `BadRequestException: Invalid Type \"Avro\": valid types are OpenApi3 and JSONSchemaDraft4.`) {
		t.Errorf("deploy error does not carry the API's message: %v", err)
	}
	if list, _ := e.svc.ListRegistries(ctx, "", ""); len(list) != 0 {
		t.Errorf("rollback left registries: %v", list)
	}

	p := e.svc.Provisioners()["AWS::EventSchemas::Schema"]
	for name, props := range map[string]map[string]any{
		"missing registry":  {"RegistryName": "nope", "Type": "OpenApi3", "Content": openAPISchema},
		"draft-4 not JSON":  {"RegistryName": "app", "Type": "JSONSchemaDraft4", "Content": "{"},
		"draft-4 as array":  {"RegistryName": "app", "Type": "JSONSchemaDraft4", "Content": "[]"},
		"missing content":   {"RegistryName": "app", "Type": "JSONSchemaDraft4"},
		"missing type":      {"RegistryName": "app", "Content": orderSchema},
		"OpenApi3 as draft": {"RegistryName": "app", "Type": "OpenApi3", "Content": orderSchema},
	} {
		if _, err := p.Create(ctx, cfnresource.Request{StackName: "S", LogicalID: "L", Type: "AWS::EventSchemas::Schema", Properties: props}); err == nil {
			t.Errorf("%s: created", name)
		}
	}
}

func TestProvisionerUpdateRenamesAndDescriptions(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	reg := e.svc.Provisioners()
	registryUp, ok1 := reg["AWS::EventSchemas::Registry"].(cloudformation.Updater)
	schemaUp, ok2 := reg["AWS::EventSchemas::Schema"].(cloudformation.Updater)
	if !ok1 || !ok2 {
		t.Fatalf("provisioners are not cloudformation.Updaters (registry %v, schema %v)", ok1, ok2)
	}

	rReq := cfnresource.Request{StackName: "S", LogicalID: "R", Properties: map[string]any{"RegistryName": "one", "Description": "a"}}
	rRes, err := reg["AWS::EventSchemas::Registry"].Create(ctx, rReq)
	if err != nil {
		t.Fatal(err)
	}
	rNew := cfnresource.Request{StackName: "S", LogicalID: "R", Properties: map[string]any{"RegistryName": "one", "Description": "b"}}
	rRes2, err := registryUp.Update(ctx, rNew, rReq, rRes)
	if err != nil || rRes2.PhysicalID != rRes.PhysicalID {
		t.Fatalf("registry description update: %+v %v", rRes2, err)
	}
	if r, _ := e.svc.DescribeRegistry(ctx, "one"); r.Description != "b" {
		t.Errorf("description = %q", r.Description)
	}

	sReq := cfnresource.Request{StackName: "S", LogicalID: "Sc", Properties: map[string]any{"RegistryName": "one", "Type": "OpenApi3", "Content": openAPISchema}}
	sRes, err := reg["AWS::EventSchemas::Schema"].Create(ctx, sReq)
	if err != nil {
		t.Fatal(err)
	}
	generated := sRes.Attributes["SchemaName"].(string)
	if !strings.HasPrefix(generated, "S-Sc-") {
		t.Errorf("generated schema name %q", generated)
	}
	// An unnamed schema keeps its generated name through a content update.
	sNew := cfnresource.Request{StackName: "S", LogicalID: "Sc", Properties: map[string]any{"RegistryName": "one", "Type": "JSONSchemaDraft4", "Content": orderSchema}}
	sRes2, err := schemaUp.Update(ctx, sNew, sReq, sRes)
	if err != nil || sRes2.Attributes["SchemaName"] != generated || sRes2.Attributes["SchemaVersion"] != "2" {
		t.Fatalf("schema type+content update: %+v %v", sRes2, err)
	}
	// Naming it replaces it.
	sNamed := cfnresource.Request{StackName: "S", LogicalID: "Sc", Properties: map[string]any{"RegistryName": "one", "SchemaName": "named", "Type": "JSONSchemaDraft4", "Content": orderSchema}}
	sRes3, err := schemaUp.Update(ctx, sNamed, sNew, sRes2)
	if err != nil || sRes3.Attributes["SchemaName"] != "named" || sRes3.Attributes["SchemaVersion"] != "1" {
		t.Fatalf("schema rename: %+v %v", sRes3, err)
	}
	if list, _ := e.svc.ListSchemas(ctx, "one", ""); len(list) != 1 || list[0].Name != "named" {
		t.Errorf("schemas after rename = %+v", list)
	}
	// Deleting the registry first leaves the schema's delete nothing to do.
	if err := reg["AWS::EventSchemas::Registry"].Delete(ctx, rNew, rRes2); err != nil {
		t.Fatal(err)
	}
	if err := reg["AWS::EventSchemas::Schema"].Delete(ctx, sNamed, sRes3); err != nil {
		t.Errorf("schema delete after its registry: %v", err)
	}
}
