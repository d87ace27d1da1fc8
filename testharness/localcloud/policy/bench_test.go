package policy

import (
	"fmt"
	"strings"
	"testing"
)

// benchPolicies builds a role's policies as CDK apps have them: three
// policies of ten statements, with wildcards, a condition and one deny.
func benchPolicies(b *testing.B) []NamedPolicy {
	var out []NamedPolicy
	for p := range 3 {
		var sts []string
		for s := range 10 {
			switch s {
			case 0:
				sts = append(sts, `{"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*"}`)
			case 9:
				sts = append(sts, fmt.Sprintf(`{"Effect":"Allow","Action":["s3:GetObject*","s3:PutObject","s3:Abort*"],"Resource":["arn:aws:s3:::bucket-%d","arn:aws:s3:::bucket-%d/*"],"Condition":{"Bool":{"aws:SecureTransport":"true"}}}`, p, p))
			default:
				sts = append(sts, fmt.Sprintf(`{"Effect":"Allow","Action":["dynamodb:BatchGetItem","dynamodb:GetRecords","dynamodb:Query","dynamodb:PutItem"],"Resource":["arn:aws:dynamodb:us-east-1:000000000000:table/t%d-%d","arn:aws:dynamodb:us-east-1:000000000000:table/t%d-%d/index/*"]}`, p, s, p, s))
			}
		}
		out = append(out, NamedPolicy{Name: fmt.Sprint("p", p), Policy: mustParse(b, `{"Version":"2012-10-17","Statement":[`+strings.Join(sts, ",")+`]}`)})
	}
	return out
}

// BenchmarkEvaluate decides one S3 PutObject that the last statement of
// the last policy allows, so every statement is looked at.
func BenchmarkEvaluate(b *testing.B) {
	ids := benchPolicies(b)
	r := Request{Principal: session, Action: "s3:PutObject", Resource: "arn:aws:s3:::bucket-2/uploads/photo.png",
		Context: map[string][]string{"aws:SecureTransport": {"true"}}}
	b.ReportAllocs()
	for b.Loop() {
		if d := Evaluate(r, ids, nil); !d.Allowed {
			b.Fatalf("%+v", d)
		}
	}
}
