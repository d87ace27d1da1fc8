package diagnose

import "testing"

// The policy Lambda's GetPolicy answers for a CDK rule target
// (AWS::Lambda::Permission with SourceArn), and variations of it.
func TestResourcePolicyAllowsTheRuleOnly(t *testing.T) {
	const (
		function = "arn:aws:lambda:us-east-1:111122223333:function:Images-Fn"
		rule     = "arn:aws:events:us-east-1:111122223333:rule/Images-Rule"
	)
	for _, c := range []struct {
		name, policy string
		allows       bool
	}{
		{"the rule", `{"Version":"2012-10-17","Statement":[{"Sid":"s","Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":"lambda:InvokeFunction","Resource":"` + function + `","Condition":{"ArnLike":{"AWS:SourceArn":"` + rule + `"}}}]}`, true},
		{"any rule of the account", `{"Statement":[{"Effect":"Allow","Principal":{"Service":["events.amazonaws.com"]},"Action":["lambda:*"],"Resource":"*","Condition":{"ArnLike":{"AWS:SourceArn":"arn:aws:events:us-east-1:111122223333:rule/*"}}}]}`, true},
		{"no condition", `{"Statement":[{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":"lambda:InvokeFunction","Resource":"` + function + `"}]}`, true},
		{"another rule", `{"Statement":[{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":"lambda:InvokeFunction","Resource":"` + function + `","Condition":{"ArnLike":{"AWS:SourceArn":"arn:aws:events:us-east-1:111122223333:rule/Other"}}}]}`, false},
		{"another account", `{"Statement":[{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":"lambda:InvokeFunction","Resource":"` + function + `","Condition":{"StringEquals":{"AWS:SourceAccount":"444455556666"}}}]}`, false},
		{"another service", `{"Statement":[{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"lambda:InvokeFunction","Resource":"` + function + `"}]}`, false},
		{"a deny only", `{"Statement":[{"Effect":"Deny","Principal":"*","Action":"lambda:InvokeFunction","Resource":"` + function + `"}]}`, false},
		{"no policy", `{}`, false},
	} {
		var p resourcePolicy
		if err := jsonUnmarshal(c.policy, &p); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := p.allowsService(eventsPrincipal, "lambda:InvokeFunction", function, rule, "111122223333"); got != c.allows {
			t.Errorf("%s: allows = %v, want %v", c.name, got, c.allows)
		}
	}
}

// A pipe's dead letter names the batch by its first and last sequence
// numbers (numbers longer than 64 bits).
func TestBatchHoldsComparesSequenceNumbersAsNumbers(t *testing.T) {
	const stream = "arn:aws:dynamodb:us-east-1:111122223333:table/T/stream/2024-01-01T00:00:00.000"
	body := `{"context":{"partnerResourceArn":"arn:aws:pipes:us-east-1:111122223333:pipe/P","condition":"RetryAttemptsExhausted"},"version":"1.0",
		"DDBStreamBatchInfo":{"shardId":"s","startSequenceNumber":"9900000000000000000001","endSequenceNumber":"10000000000000000000002","streamArn":"` + stream + `"}}`
	for seq, want := range map[string]bool{
		"9900000000000000000001": true, "10000000000000000000000": true, "10000000000000000000002": true,
		"9900000000000000000000": false, "10000000000000000000003": false, "x": false,
	} {
		if got := batchHolds(body, stream, seq); got != want {
			t.Errorf("batchHolds(%s) = %v, want %v", seq, got, want)
		}
	}
	if batchHolds(body, stream+"x", "9900000000000000000001") {
		t.Error("a batch of another stream holds the record")
	}
}
