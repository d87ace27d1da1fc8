package cloudformation

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/tracebridge/tracebridge/testharness/localcloud/cfnresource"
)

func testResolver(t testing.TB) *resolver {
	t.Helper()
	tmpl, err := parseTemplate([]byte(`{
		"Parameters": {"Env": {"Type": "String", "Default": "test"}, "Zones": {"Type": "CommaDelimitedList", "Default": "a,b"}},
		"Mappings": {"Sizes": {"test": {"Memory": 128}}},
		"Conditions": {
			"IsTest": {"Fn::Equals": [{"Ref": "Env"}, "test"]},
			"IsProd": {"Fn::Not": [{"Condition": "IsTest"}]},
			"Both": {"Fn::And": [{"Condition": "IsTest"}, {"Fn::Equals": ["1", "1"]}]},
			"Either": {"Fn::Or": [{"Condition": "IsProd"}, {"Condition": "Both"}]}
		},
		"Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}, "Fn": {"Type": "AWS::Lambda::Function"}, "Custom": {"Type": "Custom::Thing"}}
	}`))
	if err != nil {
		t.Fatal(err)
	}
	params, _, err := resolveParameters(tmpl, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	created := map[string]cfnresource.Resource{
		"Bucket": {PhysicalID: "my-bucket", Attributes: map[string]any{"Arn": "arn:aws:s3:::my-bucket"}},
		"Fn":     {PhysicalID: "fn", Ref: "fn-name", Attributes: map[string]any{"Arn": "arn:aws:lambda:us-east-1:000000000000:function:fn-name"}},
		"Custom": {PhysicalID: "cr-1", Attributes: map[string]any{"Answer": "42"}},
	}
	r := &resolver{tmpl: tmpl, stackName: "Stack", stackID: "arn:aws:cloudformation:us-east-1:000000000000:stack/Stack/id", params: params,
		resource: func(id string) (cfnresource.Resource, bool, bool) {
			res, ok := created[id]
			return res, id == "Custom", ok
		}}
	if err := r.evaluateConditions(); err != nil {
		t.Fatal(err)
	}
	return r
}

func decodeJSON(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("%s: %v", s, err)
	}
	return v
}

func TestIntrinsics(t *testing.T) {
	r := testResolver(t)
	cases := []struct {
		name, in, want string
	}{
		{"ref resource", `{"Ref": "Bucket"}`, `"my-bucket"`},
		{"ref uses Ref over physical id", `{"Ref": "Fn"}`, `"fn-name"`},
		{"ref parameter", `{"Ref": "Env"}`, `"test"`},
		{"ref list parameter", `{"Ref": "Zones"}`, `["a","b"]`},
		{"pseudo parameters", `[{"Ref": "AWS::AccountId"}, {"Ref": "AWS::Region"}, {"Ref": "AWS::Partition"}, {"Ref": "AWS::URLSuffix"}, {"Ref": "AWS::StackName"}]`,
			`["000000000000","us-east-1","aws","amazonaws.com","Stack"]`},
		{"stack id", `{"Ref": "AWS::StackId"}`, `"arn:aws:cloudformation:us-east-1:000000000000:stack/Stack/id"`},
		{"NoValue removes the key", `{"A": {"Ref": "AWS::NoValue"}, "B": 1}`, `{"B":1}`},
		{"NoValue removes a list element", `[1, {"Ref": "AWS::NoValue"}, 2]`, `[1,2]`},
		{"GetAtt list form", `{"Fn::GetAtt": ["Bucket", "Arn"]}`, `"arn:aws:s3:::my-bucket"`},
		{"GetAtt string form", `{"Fn::GetAtt": "Bucket.Arn"}`, `"arn:aws:s3:::my-bucket"`},
		{"GetAtt custom data", `{"Fn::GetAtt": ["Custom", "Answer"]}`, `"42"`},
		{"Join", `{"Fn::Join": ["-", ["a", {"Ref": "Bucket"}, 3]]}`, `"a-my-bucket-3"`},
		{"Join of a list function", `{"Fn::Join": [",", {"Fn::Split": ["|", "x|y"]}]}`, `"x,y"`},
		{"Sub string", `{"Fn::Sub": "arn:${AWS::Partition}:s3:::${Bucket}/${Bucket.Arn}-${Env}"}`, `"arn:aws:s3:::my-bucket/arn:aws:s3:::my-bucket-test"`},
		{"Sub literal", `{"Fn::Sub": "${!Literal} and ${AWS::Region}"}`, `"${Literal} and us-east-1"`},
		{"Sub with vars", `{"Fn::Sub": ["${Name}-${AWS::AccountId}", {"Name": {"Fn::GetAtt": ["Fn", "Arn"]}}]}`, `"arn:aws:lambda:us-east-1:000000000000:function:fn-name-000000000000"`},
		{"Select", `{"Fn::Select": ["1", ["a", "b", "c"]]}`, `"b"`},
		{"Select number index", `{"Fn::Select": [0, {"Fn::GetAZs": ""}]}`, `"us-east-1a"`},
		{"Split", `{"Fn::Split": [":", "a:b::c"]}`, `["a","b","","c"]`},
		{"If true", `{"Fn::If": ["IsTest", "yes", "no"]}`, `"yes"`},
		{"If false with NoValue", `{"K": {"Fn::If": ["IsProd", "yes", {"Ref": "AWS::NoValue"}]}}`, `{}`},
		{"If of composite conditions", `[{"Fn::If": ["Both", 1, 0]}, {"Fn::If": ["Either", 1, 0]}]`, `[1,1]`},
		{"Base64", `{"Fn::Base64": {"Fn::Sub": "${Env}!"}}`, `"dGVzdCE="`},
		{"FindInMap", `{"Fn::FindInMap": ["Sizes", {"Ref": "Env"}, "Memory"]}`, `128`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := r.resolve(decodeJSON(t, c.in), "Resources.X.Properties")
			if err != nil {
				t.Fatalf("resolve %s: %v", c.in, err)
			}
			gotJSON, _ := json.Marshal(got)
			if !reflect.DeepEqual(decodeJSON(t, string(gotJSON)), decodeJSON(t, c.want)) {
				t.Errorf("resolve %s = %s, want %s", c.in, gotJSON, c.want)
			}
		})
	}
}

func TestIntrinsicErrors(t *testing.T) {
	r := testResolver(t)
	cases := []struct {
		name, in, want string
	}{
		{"unknown ref", `{"A": {"Ref": "Nope"}}`, "Template format error: Unresolved resource dependencies [Nope] in the Resources block of the template (at Resources.X.Properties.A)"},
		{"unknown attribute", `{"Fn::GetAtt": ["Bucket", "Nope"]}`, "Template error: resource Bucket does not support attribute type Nope in Fn::GetAtt"},
		{"custom attribute missing", `{"Fn::GetAtt": ["Custom", "Nope"]}`, "CustomResource attribute error: Vendor response doesn't contain Nope key in object"},
		{"GetAtt unknown resource", `{"Fn::GetAtt": ["Ghost", "Arn"]}`, "Template error: instance of Fn::GetAtt references undefined resource Ghost"},
		{"select out of range", `{"Fn::Select": [5, ["a"]]}`, "Template error: Fn::Select cannot select nonexistent value at index 5"},
		{"import value", `{"Fn::ImportValue": "Shared"}`, "Fn::ImportValue is not supported by the local cloud"},
		{"missing mapping key", `{"Fn::FindInMap": ["Sizes", "prod", "Memory"]}`, "Template error: Unable to get mapping for Sizes::prod::Memory"},
		{"sub unknown variable", `{"Fn::Sub": "${Ghost}"}`, "Unresolved resource dependencies [Ghost]"},
		{"unknown function", `{"Fn::Length": [1]}`, "Template format error: Unrecognized function Fn::Length"},
		{"unknown condition", `{"Fn::If": ["Nope", 1, 2]}`, "Unresolved condition dependency Nope"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := r.resolve(decodeJSON(t, c.in), "Resources.X.Properties")
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("resolve %s: error %v, want it to contain %q", c.in, err, c.want)
			}
		})
	}
}

func TestCreationOrderAndCycles(t *testing.T) {
	tmpl, err := parseTemplate([]byte(`{"Resources": {
		"Role": {"Type": "AWS::IAM::Role"},
		"Fn": {"Type": "AWS::Lambda::Function", "Properties": {"Role": {"Fn::GetAtt": ["Role", "Arn"]}}},
		"Rule": {"Type": "AWS::Events::Rule", "Properties": {"Target": {"Fn::Sub": "${Fn.Arn}"}}},
		"Perm": {"Type": "AWS::Lambda::Permission", "DependsOn": "Rule", "Properties": {"F": {"Ref": "Fn"}}}
	}}`))
	if err != nil {
		t.Fatal(err)
	}
	active := map[string]bool{"Role": true, "Fn": true, "Rule": true, "Perm": true}
	deps, err := dependencies(tmpl, active, nil)
	if err != nil {
		t.Fatal(err)
	}
	order, err := creationOrder(deps)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"Role", "Fn", "Rule", "Perm"}; !reflect.DeepEqual(order, want) {
		t.Errorf("order = %v, want %v", order, want)
	}

	cyclic, err := parseTemplate([]byte(`{"Resources": {
		"A": {"Type": "T", "Properties": {"X": {"Ref": "B"}}},
		"B": {"Type": "T", "DependsOn": ["A"]},
		"C": {"Type": "T", "Properties": {"X": {"Ref": "A"}}},
		"D": {"Type": "T"}
	}}`))
	if err != nil {
		t.Fatal(err)
	}
	deps, err = dependencies(cyclic, map[string]bool{"A": true, "B": true, "C": true, "D": true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = creationOrder(deps)
	if err == nil || err.Error() != "Circular dependency between resources: [A, B]" {
		t.Fatalf("cycle error = %v", err)
	}

	unresolved, err := parseTemplate([]byte(`{"Resources": {"A": {"Type": "T", "DependsOn": "Ghost"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	_, err = dependencies(unresolved, map[string]bool{"A": true}, nil)
	if err == nil || !strings.Contains(err.Error(), "Template format error: Unresolved resource dependencies [Ghost] in the Resources block of the template") {
		t.Fatalf("unresolved DependsOn error = %v", err)
	}
}
