package eventschemas_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsschemas "github.com/aws/aws-sdk-go-v2/service/schemas"
	"github.com/aws/aws-sdk-go-v2/service/schemas/types"
)

func TestRegistryLifecycle(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	created, err := e.client.CreateRegistry(ctx, &awsschemas.CreateRegistryInput{RegistryName: aws.String("app.events"),
		Description: aws.String("the app's contracts"), Tags: map[string]string{"team": "tb"}})
	if err != nil {
		t.Fatalf("CreateRegistry: %v", err)
	}
	if aws.ToString(created.RegistryArn) != "arn:aws:schemas:us-east-1:000000000000:registry/app.events" ||
		aws.ToString(created.RegistryName) != "app.events" || created.Tags["team"] != "tb" {
		t.Errorf("CreateRegistry = %+v", created)
	}
	_, err = e.client.CreateRegistry(ctx, &awsschemas.CreateRegistryInput{RegistryName: aws.String("app.events")})
	var conflict *types.ConflictException
	if !errors.As(err, &conflict) {
		t.Fatalf("second CreateRegistry: want ConflictException, got %v", err)
	}

	desc, err := e.client.DescribeRegistry(ctx, &awsschemas.DescribeRegistryInput{RegistryName: aws.String("app.events")})
	if err != nil || aws.ToString(desc.Description) != "the app's contracts" || aws.ToString(desc.RegistryArn) != aws.ToString(created.RegistryArn) {
		t.Fatalf("DescribeRegistry = %+v, %v", desc, err)
	}
	upd, err := e.client.UpdateRegistry(ctx, &awsschemas.UpdateRegistryInput{RegistryName: aws.String("app.events"), Description: aws.String("v2")})
	if err != nil || aws.ToString(upd.Description) != "v2" {
		t.Fatalf("UpdateRegistry = %+v, %v", upd, err)
	}

	if _, err := e.client.DeleteRegistry(ctx, &awsschemas.DeleteRegistryInput{RegistryName: aws.String("app.events")}); err != nil {
		t.Fatalf("DeleteRegistry: %v", err)
	}
	_, err = e.client.DescribeRegistry(ctx, &awsschemas.DescribeRegistryInput{RegistryName: aws.String("app.events")})
	var notFound *types.NotFoundException
	if !errors.As(err, &notFound) {
		t.Fatalf("DescribeRegistry after delete: want NotFoundException, got %v", err)
	}
	wantError(t, err, "NotFoundException", "Registry with name app.events does not exist.")
	_, err = e.client.DeleteRegistry(ctx, &awsschemas.DeleteRegistryInput{RegistryName: aws.String("app.events")})
	wantError(t, err, "NotFoundException", "Registry with name app.events does not exist.")
}

func TestListRegistriesPrefixScopeAndPaging(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for _, n := range []string{"app.b", "app.a", "other", "app.c"} {
		if _, err := e.client.CreateRegistry(ctx, &awsschemas.CreateRegistryInput{RegistryName: aws.String(n)}); err != nil {
			t.Fatal(err)
		}
	}
	names := func(out *awsschemas.ListRegistriesOutput) []string {
		var ns []string
		for _, r := range out.Registries {
			ns = append(ns, aws.ToString(r.RegistryName))
		}
		return ns
	}
	all, err := e.client.ListRegistries(ctx, &awsschemas.ListRegistriesInput{Scope: aws.String("LOCAL")})
	if err != nil || !equal(names(all), "app.a", "app.b", "app.c", "other") {
		t.Fatalf("ListRegistries LOCAL = %v, %v", names(all), err)
	}
	awsScope, err := e.client.ListRegistries(ctx, &awsschemas.ListRegistriesInput{Scope: aws.String("AWS")})
	if err != nil || len(awsScope.Registries) != 0 {
		t.Fatalf("ListRegistries AWS = %v, %v", names(awsScope), err)
	}
	_, err = e.client.ListRegistries(ctx, &awsschemas.ListRegistriesInput{Scope: aws.String("GLOBAL")})
	wantError(t, err, "BadRequestException", "")

	var got []string
	p := awsschemas.NewListRegistriesPaginator(e.client, &awsschemas.ListRegistriesInput{RegistryNamePrefix: aws.String("app."), Limit: aws.Int32(2)})
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		got = append(got, names(out)...)
	}
	if pages != 2 || !equal(got, "app.a", "app.b", "app.c") {
		t.Fatalf("paged prefix listing = %v in %d pages", got, pages)
	}
}

func TestUnsupportedOperationsAnswerAsUnknown(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, err := e.client.ListDiscoverers(ctx, &awsschemas.ListDiscoverersInput{})
	wantError(t, err, "UnknownOperationException", "")
	_, err = e.client.SearchSchemas(ctx, &awsschemas.SearchSchemasInput{RegistryName: aws.String("r"), Keywords: aws.String("k")})
	wantError(t, err, "UnknownOperationException", "")
	_, err = e.client.GetCodeBindingSource(ctx, &awsschemas.GetCodeBindingSourceInput{RegistryName: aws.String("r"),
		SchemaName: aws.String("s"), Language: aws.String("Go1")})
	wantError(t, err, "UnknownOperationException", "")

	// An unsigned request finds the service by its path.
	resp, err := http.Get(e.url + "/v1/registries")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("unsigned ListRegistries: status %d", resp.StatusCode)
	}
}

func equal(got []string, want ...string) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i] != want[i] {
			return false
		}
	}
	return true
}
