package lambda

import "testing"

func TestAllows(t *testing.T) {
	const fnARN = "arn:aws:lambda:us-east-1:000000000000:function:f"
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
		if got := allows(fnARN, policy, tc.r); got != tc.want {
			t.Errorf("%s: allows = %v, want %v", tc.name, got, tc.want)
		}
	}
	if allows(fnARN, []statement{{Action: "lambda:GetFunction", Principal: "*"}}, invokeRequestor{principal: "events.amazonaws.com"}) {
		t.Error("a statement for another action allowed InvokeFunction")
	}
}
