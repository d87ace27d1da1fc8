package asl

import (
	"fmt"
	"testing"
)

// choiceMachine routes to "Yes" when rule matches, else to "No" (Default).
func choiceMachine(rule string) string {
	return fmt.Sprintf(`{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[%s],"Default":"No"},
	  "Yes":{"Type":"Pass","Result":"yes","End":true},"No":{"Type":"Pass","Result":"no","End":true}}}`, rule)
}

func TestChoiceOperators(t *testing.T) {
	input := `{"s":"b","n":5,"f":2.5,"b":true,"ts":"2024-01-02T03:04:05Z","nul":null,"o":{"k":1},
	  "s2":"b","n2":5,"b2":true,"ts2":"2024-01-02T03:04:05Z","file":"log-2024.txt","star":"a*b"}`
	cases := []struct {
		rule string
		want bool
	}{
		{`"Variable":"$.s","StringEquals":"b"`, true},
		{`"Variable":"$.s","StringEquals":"c"`, false},
		{`"Variable":"$.s","StringLessThan":"c"`, true},
		{`"Variable":"$.s","StringGreaterThan":"a"`, true},
		{`"Variable":"$.s","StringLessThanEquals":"b"`, true},
		{`"Variable":"$.s","StringGreaterThanEquals":"c"`, false},
		{`"Variable":"$.file","StringMatches":"log-*.txt"`, true},
		{`"Variable":"$.file","StringMatches":"*.csv"`, false},
		{`"Variable":"$.star","StringMatches":"a\\*b"`, true},
		{`"Variable":"$.file","StringMatches":"log-\\*.txt"`, false},
		{`"Variable":"$.n","NumericEquals":5`, true},
		{`"Variable":"$.n","NumericEquals":5.0`, true},
		{`"Variable":"$.f","NumericLessThan":3`, true},
		{`"Variable":"$.f","NumericGreaterThan":3`, false},
		{`"Variable":"$.n","NumericLessThanEquals":5`, true},
		{`"Variable":"$.n","NumericGreaterThanEquals":6`, false},
		{`"Variable":"$.s","NumericEquals":5`, false},
		{`"Variable":"$.b","BooleanEquals":true`, true},
		{`"Variable":"$.b","BooleanEquals":false`, false},
		{`"Variable":"$.ts","TimestampEquals":"2024-01-02T04:04:05+01:00"`, true},
		{`"Variable":"$.ts","TimestampLessThan":"2024-01-03T00:00:00Z"`, true},
		{`"Variable":"$.ts","TimestampGreaterThan":"2024-01-03T00:00:00Z"`, false},
		{`"Variable":"$.ts","TimestampLessThanEquals":"2024-01-02T03:04:05Z"`, true},
		{`"Variable":"$.ts","TimestampGreaterThanEquals":"2025-01-01T00:00:00Z"`, false},
		{`"Variable":"$.s","StringEqualsPath":"$.s2"`, true},
		{`"Variable":"$.s","StringLessThanPath":"$.s2"`, false},
		{`"Variable":"$.s","StringGreaterThanPath":"$.s2"`, false},
		{`"Variable":"$.s","StringLessThanEqualsPath":"$.s2"`, true},
		{`"Variable":"$.s","StringGreaterThanEqualsPath":"$.s2"`, true},
		{`"Variable":"$.n","NumericEqualsPath":"$.n2"`, true},
		{`"Variable":"$.f","NumericLessThanPath":"$.n2"`, true},
		{`"Variable":"$.f","NumericGreaterThanPath":"$.n2"`, false},
		{`"Variable":"$.n","NumericLessThanEqualsPath":"$.n2"`, true},
		{`"Variable":"$.n","NumericGreaterThanEqualsPath":"$.n2"`, true},
		{`"Variable":"$.b","BooleanEqualsPath":"$.b2"`, true},
		{`"Variable":"$.ts","TimestampEqualsPath":"$.ts2"`, true},
		{`"Variable":"$.ts","TimestampLessThanPath":"$.ts2"`, false},
		{`"Variable":"$.ts","TimestampGreaterThanPath":"$.ts2"`, false},
		{`"Variable":"$.ts","TimestampLessThanEqualsPath":"$.ts2"`, true},
		{`"Variable":"$.ts","TimestampGreaterThanEqualsPath":"$.ts2"`, true},
		{`"Variable":"$.missing","IsPresent":false`, true},
		{`"Variable":"$.s","IsPresent":true`, true},
		{`"Variable":"$.nul","IsNull":true`, true},
		{`"Variable":"$.s","IsNull":true`, false},
		{`"Variable":"$.s","IsString":true`, true},
		{`"Variable":"$.n","IsString":true`, false},
		{`"Variable":"$.f","IsNumeric":true`, true},
		{`"Variable":"$.b","IsBoolean":true`, true},
		{`"Variable":"$.ts","IsTimestamp":true`, true},
		{`"Variable":"$.s","IsTimestamp":true`, false},
		{`"And":[{"Variable":"$.s","StringEquals":"b"},{"Variable":"$.n","NumericEquals":5}]`, true},
		{`"And":[{"Variable":"$.s","StringEquals":"b"},{"Variable":"$.n","NumericEquals":6}]`, false},
		{`"Or":[{"Variable":"$.s","StringEquals":"x"},{"Variable":"$.n","NumericEquals":5}]`, true},
		{`"Or":[{"Variable":"$.s","StringEquals":"x"},{"Variable":"$.n","NumericEquals":6}]`, false},
		{`"Not":{"Variable":"$.s","StringEquals":"x"}`, true},
		{`"Not":{"Variable":"$.o.k","NumericEquals":1}`, false},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			res := run(t, nil, choiceMachine("{"+c.rule+`,"Next":"Yes"}`), input, RunOptions{})
			want := `"no"`
			if c.want {
				want = `"yes"`
			}
			assertSucceeded(t, res, want)
		})
	}
}

func TestChoiceNoMatchAndMissingVariable(t *testing.T) {
	def := `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.x","NumericEquals":1,"Next":"Y"}]},"Y":{"Type":"Succeed"}}}`
	assertFailed(t, run(t, nil, def, `{"x":2}`, RunOptions{}), StatesNoChoiceMatched)
	assertFailed(t, run(t, nil, def, `{}`, RunOptions{}), StatesRuntime)
}
