package main

import (
	"sort"

	"github.com/aws/aws-cdk-go/awscdk/v2/awseventschemas"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/tracebridge/tracebridge/schemas"
)

// NewSchemaRegistry publishes every JSON Schema of the app's contracts
// (schemas.JSONSchemas) in an EventBridge schema registry, so people and
// code generators find the completion events' shapes next to the bus.
func NewSchemaRegistry(scope constructs.Construct, id string) awseventschemas.CfnRegistry {
	c := constructs.NewConstruct(scope, jsii.String(id))
	registry := awseventschemas.NewCfnRegistry(c, jsii.String("Registry"), &awseventschemas.CfnRegistryProps{
		Description: jsii.String("Event contracts of the Tracebridge reference app"),
	})
	docs := schemas.JSONSchemas()
	names := make([]string, 0, len(docs))
	for name := range docs {
		names = append(names, name)
	}
	sort.Strings(names) // stable template order
	for _, name := range names {
		awseventschemas.NewCfnSchema(c, jsii.String(name), &awseventschemas.CfnSchemaProps{
			RegistryName: registry.AttrRegistryName(),
			SchemaName:   jsii.String(name),
			Type:         jsii.String(schemas.JSONSchemaType),
			Content:      jsii.String(docs[name]),
		})
	}
	return registry
}
