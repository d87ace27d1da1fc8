package transform

import (
	"encoding/json"
	"testing"
	"time"
)

// docEvent is the EC2 example event of the EventBridge User Guide, "Amazon
// EventBridge input transformation", compacted as EventBridge delivers it.
const docEvent = `{"version":"0","id":"7bf73129-1428-4cd3-a780-95db273d1602","detail-type":"EC2 Instance State-change Notification","source":"aws.ec2","account":"123456789012","time":"2015-11-11T21:29:54Z","region":"us-east-1","resources":["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],"detail":{"instance-id":"i-0123456789","state":"RUNNING"}}`

var docPaths = map[string]string{"timestamp": "$.time", "instance": "$.detail.instance-id", "state": "$.detail.state"}

var docContext = Context{
	RuleARN:       "arn:aws:events:us-east-2:123456789012:rule/example",
	RuleName:      "example",
	IngestionTime: time.Date(2015, 11, 11, 21, 29, 55, 0, time.UTC),
}

// TestTemplatesFromTheGuide runs the template rows of the guide's "Input
// Transform Examples" table (source: EventBridge User Guide,
// eb-transform-target-input).
func TestTemplatesFromTheGuide(t *testing.T) {
	cases := []struct{ name, template, want string }{
		{"simple string", `"instance <instance> is in <state>"`, `"instance i-0123456789 is in RUNNING"`},
		{"string with escaped quotes", `"instance \"<instance>\" is in <state>"`, `"instance \"i-0123456789\" is in RUNNING"`},
		{"simple JSON", `{"instance" : <instance>, "state": <state>}`, `{"instance" : "i-0123456789", "state": "RUNNING"}`},
		{"JSON with strings and variables",
			`{"instance" : <instance>, "state": "<state>", "instanceStatus": "instance \"<instance>\" is in <state>"}`,
			`{"instance" : "i-0123456789", "state": "RUNNING", "instanceStatus": "instance \"i-0123456789\" is in RUNNING"}`},
		{"mix of variables and static information", `{"instance" : <instance>, "state": [ 9, <state>, true ], "Transformed" : "Yes"}`,
			`{"instance" : "i-0123456789", "state": [ 9, "RUNNING", true ], "Transformed" : "Yes"}`},
		{"reserved variables in JSON", `{"ruleArn" : <aws.events.rule-arn>, "ruleName" : <aws.events.rule-name>, "at": <aws.events.event.ingestion-time>}`,
			`{"ruleArn" : "arn:aws:events:us-east-2:123456789012:rule/example", "ruleName" : "example", "at": "2015-11-11T21:29:55Z"}`},
		{"reserved variables in a string", `"<aws.events.rule-name> triggered"`, `"example triggered"`},
		{"object inside a string loses its quotes", `"detail is <d>"`, `"detail is {instance-id:i-0123456789,state:RUNNING}"`},
		{"object as a value stays an object", `{"d": <d>}`, `{"d": {"instance-id":"i-0123456789","state":"RUNNING"}}`},
		{"missing path is not created", `{"x": <nope>, "s": "a<nope>b"}`, `{"x": null, "s": "ab"}`},
		{"unknown placeholder is left as written", `"a <other> b"`, `"a <other> b"`},
		{"full event", `{"e": <aws.events.event.json>}`, `{"e": ` + docEvent + `}`},
	}
	paths := map[string]string{"d": "$.detail", "nope": "$.detail.absent"}
	for k, v := range docPaths {
		paths[k] = v
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			spec := Spec{Transformer: &InputTransformer{InputPathsMap: paths, InputTemplate: c.template}}
			if err := Validate(spec); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			got, err := Apply(spec, []byte(docEvent), docContext)
			if err != nil {
				t.Fatalf("Apply: %v", err)
			}
			if string(got) != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}

func TestEventVariableHasNoDetail(t *testing.T) {
	spec := Spec{Transformer: &InputTransformer{InputTemplate: `<aws.events.event>`}}
	got, err := Apply(spec, []byte(docEvent), docContext)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(got, &m); err != nil {
		t.Fatalf("not JSON: %s", got)
	}
	if _, ok := m["detail"]; ok || m["source"] != "aws.ec2" || len(m) != 8 {
		t.Errorf("aws.events.event = %s", got)
	}
}

func TestInputAndInputPath(t *testing.T) {
	constant := `{"fixed":true}`
	cases := []struct {
		spec Spec
		want string
	}{
		{Spec{}, docEvent},
		{Spec{Input: &constant}, constant},
		{Spec{InputPath: "$.detail"}, `{"instance-id":"i-0123456789","state":"RUNNING"}`},
		{Spec{InputPath: "$.detail.state"}, `"RUNNING"`},
		{Spec{InputPath: "$.resources[0]"}, `"arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"`},
		{Spec{InputPath: "$.detail.*"}, `["i-0123456789","RUNNING"]`},
		{Spec{InputPath: "$['detail']['instance-id']"}, `"i-0123456789"`},
		{Spec{InputPath: "$.detail.absent"}, `null`},
	}
	for _, c := range cases {
		got, err := Apply(c.spec, []byte(docEvent), docContext)
		if err != nil {
			t.Fatalf("%+v: %v", c.spec, err)
		}
		if string(got) != c.want {
			t.Errorf("%+v: got %s, want %s", c.spec, got, c.want)
		}
	}
}

func TestValidate(t *testing.T) {
	bad := `{not json`
	input := `{}`
	cases := []Spec{
		{Input: &bad},
		{Input: &input, InputPath: "$.detail"},
		{InputPath: "detail"},
		{InputPath: "$.a[x]"},
		{Transformer: &InputTransformer{InputTemplate: ""}},
		{Transformer: &InputTransformer{InputTemplate: "<x>", InputPathsMap: map[string]string{"aws.events.rule-arn": "$.id"}}},
		{Transformer: &InputTransformer{InputTemplate: "<x>", InputPathsMap: map[string]string{"x": "id"}}},
		{Transformer: &InputTransformer{InputTemplate: "<x y>", InputPathsMap: map[string]string{"x y": "$.id"}}},
	}
	for _, c := range cases {
		if err := Validate(c); err == nil {
			t.Errorf("Validate(%+v) = nil, want an error", c)
		}
	}
}
