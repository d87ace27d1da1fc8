package lambda

import "testing"

func TestAllows(t *testing.T) {
	events := statement{Sid: "a", Action: "lambda:InvokeFunction", Principal: "events.amazonaws.com",
		SourceARN: "arn:aws:events:us-east-1:000000000000:rule/bus/*"}
	s3 := statement{Sid: "b", Action: "lambda:*", Principal: "s3.amazonaws.com", SourceAccount: "000000000000"}
	policy := []statement{events, s3}
	for _, tc := range []struct {
		name string
		r    invokeRequestor
		want bool
	}{
		{"matching rule", invokeRequestor{"events.amazonaws.com", "arn:aws:events:us-east-1:000000000000:rule/bus/r1", ""}, true},
		{"rule on another bus", invokeRequestor{"events.amazonaws.com", "arn:aws:events:us-east-1:000000000000:rule/bus2/r1", ""}, false},
		{"no source ARN against a SourceArn condition", invokeRequestor{"events.amazonaws.com", "", ""}, false},
		{"s3 from the account", invokeRequestor{"s3.amazonaws.com", "arn:aws:s3:::bucket", "000000000000"}, true},
		{"s3 from another account", invokeRequestor{"s3.amazonaws.com", "arn:aws:s3:::bucket", "111111111111"}, false},
		{"unlisted principal", invokeRequestor{"sns.amazonaws.com", "arn:aws:sns:us-east-1:000000000000:t", ""}, false},
	} {
		if got := allows(policy, tc.r); got != tc.want {
			t.Errorf("%s: allows = %v, want %v", tc.name, got, tc.want)
		}
	}
	if allows([]statement{{Action: "lambda:GetFunction", Principal: "*"}}, invokeRequestor{principal: "events.amazonaws.com"}) {
		t.Error("a statement for another action allowed InvokeFunction")
	}
}

func TestGlobMatch(t *testing.T) {
	for _, tc := range []struct {
		pattern, s string
		want       bool
	}{
		{"arn:aws:s3:::bucket", "arn:aws:s3:::bucket", true},
		{"arn:aws:s3:::buck*", "arn:aws:s3:::bucket", true},
		{"arn:aws:events:*:*:rule/bus/*", "arn:aws:events:us-east-1:0:rule/bus/a/b", true},
		{"arn:aws:s3:::b?cket", "arn:aws:s3:::bucket", true},
		{"arn:aws:s3:::b?cket", "arn:aws:s3:::bcket", false},
		{"arn:aws:s3:::bucket", "arn:aws:s3:::bucket2", false},
		{"*", "", true},
	} {
		if got := globMatch(tc.pattern, tc.s); got != tc.want {
			t.Errorf("globMatch(%q, %q) = %v", tc.pattern, tc.s, got)
		}
	}
}
