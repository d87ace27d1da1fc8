package asl

import (
	"errors"
	"strings"
	"testing"
)

func TestParseRejectsInvalidDefinitions(t *testing.T) {
	cases := []struct {
		name, def, want string
	}{
		// The message AWS returned for this definition, quoted in localstack/localstack#12487.
		{"missing Next target", `{"StartAt":"pass1","States":{"pass1":{"Type":"Pass","Next":"pass3"},"pass2":{"Type":"Pass","End":true}}}`,
			"Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' target: pass3 at /States/pass1/Next, MISSING_TRANSITION_TARGET: State \"pass2\" is not reachable. at /States/pass2'"},
		{"no terminal state", `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Pass","Next":"A"}}}`, "MISSING_END_STATE: Workflow has no terminal state at /"},
		{"StartAt unknown", `{"StartAt":"Nope","States":{"A":{"Type":"Succeed"}}}`, "MISSING_TRANSITION_TARGET: Missing 'Next' target: Nope at /StartAt"},
		{"required top fields", `{"States":{}}`, "SCHEMA_VALIDATION_FAILED: These fields are required: [StartAt] at /"},
		{"no Type", `{"StartAt":"A","States":{"A":{"End":true}}}`, "SCHEMA_VALIDATION_FAILED: These fields are required: [Type] at /States/A"},
		{"bad Type", `{"StartAt":"A","States":{"A":{"Type":"Nap","End":true}}}`, "at /States/A/Type"},
		{"neither Next nor End", `{"StartAt":"A","States":{"A":{"Type":"Pass"}}}`, "These fields are required: [Next | End] at /States/A"},
		{"unknown field", `{"StartAt":"A","States":{"A":{"Type":"Pass","End":true,"Resource":"x"}}}`, `The field "Resource" is not supported by Step Functions at /States/A/Resource`},
		{"Task without Resource", `{"StartAt":"A","States":{"A":{"Type":"Task","End":true}}}`, "These fields are required: [Resource] at /States/A"},
		{"Task resource not an ARN", `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"lambda","End":true}}}`, "INVALID_RESOURCE"},
		{"Choice without rules", `{"StartAt":"A","States":{"A":{"Type":"Choice","Choices":[]}}}`, "Choices must be a non-empty array"},
		{"Choice rule two operators", `{"StartAt":"A","States":{"A":{"Type":"Choice","Choices":[{"Variable":"$.x","StringEquals":"a","NumericEquals":1,"Next":"B"}]},"B":{"Type":"Succeed"}}}`, "exactly one comparison operator"},
		{"Choice operand type", `{"StartAt":"A","States":{"A":{"Type":"Choice","Choices":[{"Variable":"$.x","NumericEquals":"1","Next":"B"}]},"B":{"Type":"Succeed"}}}`, "NumericEquals must be a number"},
		{"Choice nested Next", `{"StartAt":"A","States":{"A":{"Type":"Choice","Choices":[{"Not":{"Variable":"$.x","IsNull":true,"Next":"B"},"Next":"B"}]},"B":{"Type":"Succeed"}}}`, "Nested choice rules must not have 'Next'"},
		{"Choice Default missing", `{"StartAt":"A","States":{"A":{"Type":"Choice","Choices":[{"Variable":"$.x","IsNull":true,"Next":"B"}],"Default":"Z"},"B":{"Type":"Succeed"}}}`, "Missing 'Next' target: Z at /States/A/Default"},
		{"States.ALL not alone", `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:f","End":true,"Retry":[{"ErrorEquals":["States.ALL","X"]}]}}}`, "States.ALL must appear alone"},
		{"States.ALL not last", `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:f","End":true,"Catch":[{"ErrorEquals":["States.ALL"],"Next":"A"},{"ErrorEquals":["X"],"Next":"A"}]}}}`, "States.ALL must appear alone"},
		{"Catch without Next", `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:f","End":true,"Catch":[{"ErrorEquals":["X"]}]}}}`, "These fields are required: [Next] at /States/A/Catch[0]"},
		{"Retry bad BackoffRate", `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:f","End":true,"Retry":[{"ErrorEquals":["X"],"BackoffRate":0.5}]}}}`, "at /States/A/Retry[0]/BackoffRate"},
		{"Wait two durations", `{"StartAt":"A","States":{"A":{"Type":"Wait","Seconds":1,"SecondsPath":"$.s","End":true}}}`, "Exactly one of 'Seconds'"},
		{"Parallel branch problem", `{"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,"Branches":[{"StartAt":"X","States":{"X":{"Type":"Pass","Next":"Y"}}}]}}}`, "Missing 'Next' target: Y at /States/P/Branches[0]/States/X/Next"},
		{"Map without processor", `{"StartAt":"M","States":{"M":{"Type":"Map","End":true}}}`, "These fields are required: [ItemProcessor] at /States/M"},
		{"ResultPath not a reference path", `{"StartAt":"A","States":{"A":{"Type":"Pass","End":true,"ResultPath":"$.a[*]"}}}`, "at /States/A/ResultPath"},
		{"bad intrinsic", `{"StartAt":"A","States":{"A":{"Type":"Pass","End":true,"Parameters":{"x.$":"States.Nope(1)"}}}}`, `unknown function "States.Nope"`},
		{"JSONata", `{"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}`, "QueryLanguage \"JSONata\" is not supported"},
		{"not JSON", `{"StartAt":`, "INVALID_JSON_DESCRIPTION"},
		{"empty", ``, "MISSING_DESCRIPTION"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(c.def))
			var de *DefinitionError
			if !errors.As(err, &de) {
				t.Fatalf("want a DefinitionError, got %v", err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error\n %s\ndoes not contain\n %s", err, c.want)
			}
		})
	}
}

func TestParseAcceptsLegacyAndModernFields(t *testing.T) {
	mustParse(t, `{"Comment":"c","TimeoutSeconds":10,"Version":"1.0","StartAt":"M","States":{
	  "M":{"Type":"Map","Iterator":{"StartAt":"I","States":{"I":{"Type":"Pass","End":true}}},"Parameters":{"v.$":"$$.Map.Item.Value"},"Next":"N"},
	  "N":{"Type":"Map","ItemProcessor":{"ProcessorConfig":{"Mode":"INLINE"},"StartAt":"I","States":{"I":{"Type":"Succeed"}}},"ItemSelector":{"v.$":"$$.Map.Item.Index"},"Next":"F"},
	  "F":{"Type":"Fail","ErrorPath":"$.e","CausePath":"States.Format('x {}', $.c)"}}}`)
}
