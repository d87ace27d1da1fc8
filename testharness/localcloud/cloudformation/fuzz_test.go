package cloudformation

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"reflect"
	"testing"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
)

// intrinsicSeeds are values using every intrinsic function the resolver
// knows, well and badly formed.
var intrinsicSeeds = []string{
	`{"Ref": "Zones"}`, `[{"Ref": "AWS::AccountId"}, {"Ref": "AWS::NoValue"}, {"Ref": "AWS::StackId"}]`,
	`{"Fn::GetAtt": ["Bucket", "Arn"]}`, `{"Fn::GetAtt": "Custom.Answer"}`,
	`{"Fn::Join": ["-", ["a", {"Ref": "Bucket"}, 3]]}`, `{"Fn::Join": [",", {"Fn::Split": ["|", "x|y"]}]}`,
	`{"Fn::Sub": "arn:${AWS::Partition}:s3:::${Bucket}/${Bucket.Arn}-${Env}${!Literal}"}`,
	`{"Fn::Sub": ["${Name}-${AWS::AccountId}", {"Name": {"Fn::GetAtt": ["Fn", "Arn"]}}]}`,
	`{"Fn::Select": ["1", ["a", "b"]]}`, `{"Fn::Select": [-1, {"Fn::GetAZs": ""}]}`, `{"Fn::Split": [":", "a:b::c"]}`,
	`{"K": {"Fn::If": ["IsProd", "yes", {"Ref": "AWS::NoValue"}]}}`, `{"Fn::Base64": {"Fn::Sub": "${Env}!"}}`,
	`{"Fn::FindInMap": ["Sizes", {"Ref": "Env"}, "Memory"]}`, `{"Fn::If": ["Both", {"Fn::ImportValue": "x"}, 0]}`,
	`{"Fn::Sub": "${"}`, `{"Fn::Split": ["", "abc"]}`, `{"Fn::Select": [99999999999999999999, []]}`,
}

// FuzzIntrinsics: resolving any JSON value either fails with a
// *TemplateError or succeeds the same way twice; it never panics.
func FuzzIntrinsics(f *testing.F) {
	for _, s := range intrinsicSeeds {
		f.Add([]byte(s))
	}
	r := testResolver(f)
	f.Fuzz(func(t *testing.T, value []byte) {
		v, err := decodeTemplateValue(value)
		if err != nil {
			return
		}
		got, err := r.resolve(v, "Resources.X.Properties")
		if err != nil {
			var te *TemplateError
			if !errors.As(err, &te) {
				t.Fatalf("resolve %s: error %T %v is not a *TemplateError", value, err, err)
			}
			return
		}
		again, err := r.resolve(v, "Resources.X.Properties")
		if err != nil || !reflect.DeepEqual(got, again) {
			t.Fatalf("resolve %s = %#v, then %#v, %v", value, got, again, err)
		}
	})
}

// decodeTemplateValue decodes JSON as parseTemplate does, numbers kept as
// json.Number.
func decodeTemplateValue(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}

// FuzzTemplate: validating any template body as CreateStack does either
// fails with a 400 ValidationError or yields a creation order that lists
// each resource the conditions keep exactly once, after everything it
// depends on; it never panics.
func FuzzTemplate(f *testing.F) {
	app, err := os.ReadFile("testdata/assembly/App.template.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(app)
	f.Add([]byte(`{"Parameters":{"P":{"Type":"CommaDelimitedList","Default":"a,b","AllowedValues":["a,b"]}},` +
		`"Conditions":{"C":{"Fn::Equals":[{"Fn::Select":[0,{"Ref":"P"}]},"a"]},"D":{"Fn::Not":[{"Condition":"C"}]}},` +
		`"Resources":{"A":{"Type":"T","Condition":"C","DependsOn":["B"],"Properties":{"X":{"Fn::Sub":"${B.Arn}"}}},` +
		`"B":{"Type":"T","Properties":{"Y":{"Fn::If":["D",{"Ref":"A"},{"Ref":"AWS::NoValue"}]}}}},` +
		`"Outputs":{"O":{"Value":{"Fn::GetAtt":["A","Arn"]},"Condition":"C"}}}`))
	f.Add([]byte(`{"Resources":{"A":{"Type":"T","DependsOn":"B"},"B":{"Type":"T","Properties":{"R":{"Ref":"A"}}}}}`))
	f.Add([]byte(`{"Conditions":{"C":{"Condition":"C"}},"Resources":{"A":{"Type":"T","Condition":"C"}}}`))
	e := New(Options{})
	f.Cleanup(e.Close)
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := e.prepare(TemplateInput{StackName: "Stack", Body: body})
		if err != nil {
			if ae := awsproto.AsError(err); ae == nil || ae.Code != "ValidationError" || ae.Status != http.StatusBadRequest {
				t.Fatalf("prepare(%s): error %T %v is not a 400 ValidationError", body, err, err)
			}
			return
		}
		at := map[string]int{}
		for i, id := range p.order {
			if _, dup := at[id]; dup || !p.active[id] {
				t.Fatalf("prepare(%s): order %v lists %s twice or although its condition is false", body, p.order, id)
			}
			at[id] = i
		}
		for id, active := range p.active {
			if _, listed := at[id]; active != listed {
				t.Fatalf("prepare(%s): order %v, active %v", body, p.order, p.active)
			}
			for _, d := range p.deps[id] {
				if at[d] >= at[id] {
					t.Fatalf("prepare(%s): %s comes before %s, which it depends on (order %v)", body, id, d, p.order)
				}
			}
		}
	})
}
