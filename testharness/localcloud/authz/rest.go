package authz

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/tracebridge/tracebridge/testharness/localcloud/arn"
)

// restRule maps one restJson operation by method and path pattern
// ("/2015-03-31/functions/{name}/invocations"; {x} matches one segment)
// to its IAM action and resource.
type restRule struct {
	method, pattern, action string
	resource                restResource
}

// restResource names the resource of a request from its path's variables,
// its query, or, for one that creates a resource, its body.
type restResource func(vars map[string]string, r *http.Request, body []byte) string

// restTargets finds the first rule matching r.
func restTargets(rules []restRule) func(*http.Request, []byte) ([]target, error) {
	return func(r *http.Request, body []byte) ([]target, error) {
		path := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
		for _, rule := range rules {
			if rule.method != r.Method {
				continue
			}
			if vars, ok := matchPath(rule.pattern, path); ok {
				return []target{{rule.action, rule.resource(vars, r, body)}}, nil
			}
		}
		return nil, nil
	}
}

func matchPath(pattern string, path []string) (map[string]string, bool) {
	segs := strings.Split(strings.Trim(pattern, "/"), "/")
	if len(segs) != len(path) {
		return nil, false
	}
	var vars map[string]string
	for i, s := range segs {
		if strings.HasPrefix(s, "{") {
			if vars == nil {
				vars = map[string]string{}
			}
			vars[strings.Trim(s, "{}")] = path[i]
			continue
		}
		if s != path[i] {
			return nil, false
		}
	}
	return vars, true
}

func anyResource(map[string]string, *http.Request, []byte) string { return "*" }

// functionARN is the function a Lambda request names: a name, a partial
// ARN (ACCOUNT:function:NAME) or a full ARN, with any qualifier from the
// name or the Qualifier parameter.
func functionARN(vars map[string]string, r *http.Request, _ []byte) string {
	name := vars["name"]
	if strings.HasPrefix(name, "arn:") {
		return name
	}
	if _, rest, ok := strings.Cut(name, ":function:"); ok {
		name = rest
	}
	if q := r.URL.Query().Get("Qualifier"); q != "" && !strings.Contains(name, ":") {
		name += ":" + q
	}
	return arn.New("lambda", "function:"+name)
}

// createdFunctionARN is the function a CreateFunction body names (its
// FunctionName, a name or an ARN).
func createdFunctionARN(_ map[string]string, r *http.Request, body []byte) string {
	var in struct{ FunctionName string }
	_ = json.Unmarshal(body, &in) // a body that is not JSON names no function; Lambda refuses it
	return functionARN(map[string]string{"name": in.FunctionName}, r, nil)
}

// lambdaRules map Lambda (Service Authorization Reference, "Actions
// defined by AWS Lambda"): invoking is lambda:InvokeFunction on the
// function ARN, Invoke and InvokeAsync alike.
var lambdaRules = []restRule{
	{"POST", "/2015-03-31/functions/{name}/invocations", "lambda:InvokeFunction", functionARN},
	{"POST", "/2014-11-13/functions/{name}/invoke-async", "lambda:InvokeFunction", functionARN},
	{"GET", "/2015-03-31/functions", "lambda:ListFunctions", anyResource},
	{"POST", "/2015-03-31/functions", "lambda:CreateFunction", createdFunctionARN},
	{"PUT", "/2015-03-31/functions/{name}/code", "lambda:UpdateFunctionCode", functionARN},
	{"GET", "/2015-03-31/functions/{name}", "lambda:GetFunction", functionARN},
	{"GET", "/2015-03-31/functions/{name}/configuration", "lambda:GetFunctionConfiguration", functionARN},
	{"DELETE", "/2015-03-31/functions/{name}", "lambda:DeleteFunction", functionARN},
	{"POST", "/2015-03-31/functions/{name}/policy", "lambda:AddPermission", functionARN},
	{"GET", "/2015-03-31/functions/{name}/policy", "lambda:GetPolicy", functionARN},
	{"DELETE", "/2015-03-31/functions/{name}/policy/{sid}", "lambda:RemovePermission", functionARN},
	{"PUT", "/2019-09-25/functions/{name}/event-invoke-config", "lambda:PutFunctionEventInvokeConfig", functionARN},
	{"GET", "/2019-09-25/functions/{name}/event-invoke-config", "lambda:GetFunctionEventInvokeConfig", functionARN},
	{"DELETE", "/2019-09-25/functions/{name}/event-invoke-config", "lambda:DeleteFunctionEventInvokeConfig", functionARN},
	{"GET", "/2017-03-31/tags/{arn}", "lambda:ListTags", func(v map[string]string, _ *http.Request, _ []byte) string { return v["arn"] }},
	{"POST", "/2015-03-31/event-source-mappings", "lambda:CreateEventSourceMapping", anyResource},
	{"GET", "/2015-03-31/event-source-mappings", "lambda:ListEventSourceMappings", anyResource},
	{"GET", "/2015-03-31/event-source-mappings/{uuid}", "lambda:GetEventSourceMapping", eventSourceMappingARN},
	{"PUT", "/2015-03-31/event-source-mappings/{uuid}", "lambda:UpdateEventSourceMapping", eventSourceMappingARN},
	{"DELETE", "/2015-03-31/event-source-mappings/{uuid}", "lambda:DeleteEventSourceMapping", eventSourceMappingARN},
}

// eventSourceMappingARN is the mapping a request's path names
// (arn:aws:lambda:REGION:ACCOUNT:event-source-mapping:UUID).
func eventSourceMappingARN(v map[string]string, _ *http.Request, _ []byte) string {
	return arn.New("lambda", "event-source-mapping:"+v["uuid"])
}

// xrayRules map X-Ray, whose actions all act on "*".
var xrayRules = []restRule{
	{"POST", "/TraceSegments", "xray:PutTraceSegments", anyResource},
	{"POST", "/TelemetryRecords", "xray:PutTelemetryRecords", anyResource},
	{"POST", "/GetSamplingRules", "xray:GetSamplingRules", anyResource},
	{"POST", "/SamplingTargets", "xray:GetSamplingTargets", anyResource},
	{"POST", "/TraceSummaries", "xray:GetTraceSummaries", anyResource},
	{"POST", "/Traces", "xray:BatchGetTraces", anyResource},
	{"POST", "/TraceGraph", "xray:GetTraceGraph", anyResource},
	{"POST", "/ServiceGraph", "xray:GetServiceGraph", anyResource},
}

func pipeARN(v map[string]string, _ *http.Request, _ []byte) string {
	return arn.New("pipes", "pipe/"+v["name"])
}

// pipesRules map EventBridge Pipes: operations act on the pipe ARN.
var pipesRules = []restRule{
	{"GET", "/v1/pipes", "pipes:ListPipes", anyResource},
	{"POST", "/v1/pipes/{name}", "pipes:CreatePipe", pipeARN},
	{"GET", "/v1/pipes/{name}", "pipes:DescribePipe", pipeARN},
	{"PUT", "/v1/pipes/{name}", "pipes:UpdatePipe", pipeARN},
	{"DELETE", "/v1/pipes/{name}", "pipes:DeletePipe", pipeARN},
	{"POST", "/v1/pipes/{name}/start", "pipes:StartPipe", pipeARN},
	{"POST", "/v1/pipes/{name}/stop", "pipes:StopPipe", pipeARN},
}

func registryARN(v map[string]string, _ *http.Request, _ []byte) string {
	return arn.New("schemas", "registry/"+v["registry"])
}

func schemaARN(v map[string]string, _ *http.Request, _ []byte) string {
	return arn.New("schemas", "schema/"+v["registry"]+"/"+v["schema"])
}

// schemasRules map EventBridge Schemas: registry and schema ARNs.
var schemasRules = []restRule{
	{"GET", "/v1/registries", "schemas:ListRegistries", anyResource},
	{"POST", "/v1/registries/name/{registry}", "schemas:CreateRegistry", registryARN},
	{"GET", "/v1/registries/name/{registry}", "schemas:DescribeRegistry", registryARN},
	{"PUT", "/v1/registries/name/{registry}", "schemas:UpdateRegistry", registryARN},
	{"DELETE", "/v1/registries/name/{registry}", "schemas:DeleteRegistry", registryARN},
	{"GET", "/v1/registries/name/{registry}/schemas", "schemas:ListSchemas", registryARN},
	{"POST", "/v1/registries/name/{registry}/schemas/name/{schema}", "schemas:CreateSchema", schemaARN},
	{"GET", "/v1/registries/name/{registry}/schemas/name/{schema}", "schemas:DescribeSchema", schemaARN},
	{"PUT", "/v1/registries/name/{registry}/schemas/name/{schema}", "schemas:UpdateSchema", schemaARN},
	{"DELETE", "/v1/registries/name/{registry}/schemas/name/{schema}", "schemas:DeleteSchema", schemaARN},
	{"GET", "/v1/registries/name/{registry}/schemas/name/{schema}/versions", "schemas:ListSchemaVersions", schemaARN},
}
