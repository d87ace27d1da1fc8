package eventschemas

import (
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// The schema types the registry stores (the Type enum of the schemas API).
const (
	TypeOpenAPI3         = "OpenApi3"
	TypeJSONSchemaDraft4 = "JSONSchemaDraft4"
)

// maxContentLength is the largest schema document CreateSchema and
// UpdateSchema take (Content: maximum length 100,000, EventBridge Schemas
// API reference).
const maxContentLength = 100000

// draft4PrimitiveTypes are the values of a draft-04 "type" keyword.
var draft4PrimitiveTypes = map[string]bool{"array": true, "boolean": true, "integer": true,
	"null": true, "number": true, "object": true, "string": true}

func validateType(typ string) error {
	if typ != TypeOpenAPI3 && typ != TypeJSONSchemaDraft4 {
		return badRequest("Invalid Type %q: valid types are %s and %s.", typ, TypeOpenAPI3, TypeJSONSchemaDraft4)
	}
	return nil
}

// validateContent checks a schema document as far as the local registry
// understands it: a JSON object within the size limit; an OpenApi3
// document names an OpenAPI 3 version; a JSONSchemaDraft4 document that
// names its $schema names draft-04, and its top-level "type" is a draft-04
// type. AWS validates against the full meta-schemas (see testharness/localcloud/SUPPORT.md).
func validateContent(typ, content string) error {
	if content == "" {
		return badRequest("Content is required.")
	}
	if utf8.RuneCountInString(content) > maxContentLength {
		return badRequest("Content exceeds the maximum length of %d characters.", maxContentLength)
	}
	dec := json.NewDecoder(strings.NewReader(content))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil || dec.More() {
		return badRequest("Invalid %s content: the schema must be a JSON object.", typ)
	}
	switch typ {
	case TypeOpenAPI3:
		v, _ := doc["openapi"].(string)
		if !strings.HasPrefix(v, "3.") {
			return badRequest("Invalid OpenApi3 content: the document must name an OpenAPI 3 version in \"openapi\".")
		}
	case TypeJSONSchemaDraft4:
		if ref, ok := doc["$schema"]; ok {
			if s, _ := ref.(string); !strings.Contains(s, "json-schema.org/draft-04/schema") {
				return badRequest("Invalid JSONSchemaDraft4 content: $schema %v is not JSON Schema draft-04.", ref)
			}
		}
		if t, ok := doc["type"]; ok && !isDraft4Type(t) {
			return badRequest("Invalid JSONSchemaDraft4 content: \"type\" must be a JSON Schema draft-04 type or a list of them.")
		}
	}
	return nil
}

func isDraft4Type(t any) bool {
	switch v := t.(type) {
	case string:
		return draft4PrimitiveTypes[v]
	case []any:
		for _, e := range v {
			if s, ok := e.(string); !ok || !draft4PrimitiveTypes[s] {
				return false
			}
		}
		return len(v) > 0
	}
	return false
}
