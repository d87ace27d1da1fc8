package policy

import "testing"

// condPolicy wraps a Condition block into an allow-everything statement.
func condPolicy(cond string) string {
	return `{"Version":"2012-10-17","Statement":{"Sid":"c","Effect":"Allow","Action":"*","Resource":"*","Condition":` + cond + `}}`
}

func TestConditions(t *testing.T) {
	type ctx = map[string][]string
	for _, c := range []struct {
		name string
		cond string
		ctx  ctx
		want bool
	}{
		{"StringEquals", `{"StringEquals":{"aws:SourceAccount":"000000000000"}}`, ctx{"aws:SourceAccount": {"000000000000"}}, true},
		{"StringEquals other", `{"StringEquals":{"aws:SourceAccount":"000000000000"}}`, ctx{"aws:SourceAccount": {"111111111111"}}, false},
		{"keys are case-insensitive", `{"StringEquals":{"AWS:SOURCEACCOUNT":"000000000000"}}`, ctx{"aws:sourceaccount": {"000000000000"}}, true},
		{"values are case-sensitive", `{"StringEquals":{"s3:prefix":"Home/"}}`, ctx{"s3:prefix": {"home/"}}, false},
		{"StringEqualsIgnoreCase", `{"StringEqualsIgnoreCase":{"s3:prefix":"Home/"}}`, ctx{"s3:prefix": {"home/"}}, true},
		{"StringNotEqualsIgnoreCase", `{"StringNotEqualsIgnoreCase":{"s3:prefix":"Home/"}}`, ctx{"s3:prefix": {"home/"}}, false},
		{"multiple values OR", `{"StringEquals":{"s3:prefix":["a/","b/"]}}`, ctx{"s3:prefix": {"b/"}}, true},
		{"multiple keys AND", `{"StringEquals":{"s3:prefix":"a/","aws:SourceAccount":"000000000000"}}`, ctx{"s3:prefix": {"a/"}, "aws:SourceAccount": {"1"}}, false},
		{"multiple operators AND", `{"StringLike":{"s3:prefix":"a/*"},"Bool":{"aws:SecureTransport":"true"}}`, ctx{"s3:prefix": {"a/b"}, "aws:SecureTransport": {"true"}}, true},
		{"missing key fails a positive operator", `{"StringEquals":{"s3:prefix":"a/"}}`, nil, false},
		{"missing key satisfies a negated operator", `{"StringNotEquals":{"s3:prefix":"a/"}}`, nil, true},
		{"StringNotEquals", `{"StringNotEquals":{"s3:prefix":["a/","b/"]}}`, ctx{"s3:prefix": {"c/"}}, true},
		{"StringNotEquals listed", `{"StringNotEquals":{"s3:prefix":["a/","b/"]}}`, ctx{"s3:prefix": {"b/"}}, false},
		{"IfExists with the key missing", `{"StringEqualsIfExists":{"s3:prefix":"a/"}}`, nil, true},
		{"IfExists with the key present", `{"StringEqualsIfExists":{"s3:prefix":"a/"}}`, ctx{"s3:prefix": {"b/"}}, false},
		{"StringLike with variable", `{"StringLike":{"s3:prefix":["","home/","home/${aws:PrincipalAccount}/*"]}}`, ctx{"s3:prefix": {"home/000000000000/photos"}}, true},
		{"StringLike ?", `{"StringLike":{"s3:prefix":"file?.txt"}}`, ctx{"s3:prefix": {"file10.txt"}}, false},
		{"StringNotLike", `{"StringNotLike":{"s3:prefix":"tmp/*"}}`, ctx{"s3:prefix": {"tmp/x"}}, false},
		{"NumericLessThanEquals", `{"NumericLessThanEquals":{"s3:max-keys":"10"}}`, ctx{"s3:max-keys": {"10"}}, true},
		{"NumericLessThan", `{"NumericLessThan":{"s3:max-keys":"10"}}`, ctx{"s3:max-keys": {"10"}}, false},
		{"NumericGreaterThan", `{"NumericGreaterThan":{"s3:max-keys":"10"}}`, ctx{"s3:max-keys": {"10.5"}}, true},
		{"NumericGreaterThanEquals", `{"NumericGreaterThanEquals":{"s3:max-keys":10}}`, ctx{"s3:max-keys": {"9"}}, false},
		{"NumericEquals number", `{"NumericEquals":{"s3:max-keys":10}}`, ctx{"s3:max-keys": {"10"}}, true},
		{"NumericNotEquals", `{"NumericNotEquals":{"s3:max-keys":"10"}}`, ctx{"s3:max-keys": {"11"}}, true},
		{"Numeric not a number", `{"NumericEquals":{"s3:max-keys":"10"}}`, ctx{"s3:max-keys": {"ten"}}, false},
		{"DateGreaterThan", `{"DateGreaterThan":{"aws:CurrentTime":"2026-01-01T00:00:00Z"}}`, ctx{"aws:CurrentTime": {"2026-06-01T00:00:00Z"}}, true},
		{"DateLessThan", `{"DateLessThan":{"aws:CurrentTime":"2026-01-01T00:00:00Z"}}`, ctx{"aws:CurrentTime": {"2026-06-01T00:00:00Z"}}, false},
		{"DateLessThanEquals epoch", `{"DateLessThanEquals":{"aws:EpochTime":"1767225600"}}`, ctx{"aws:EpochTime": {"1767225600"}}, true},
		{"DateNotEquals", `{"DateNotEquals":{"aws:CurrentTime":"2026-01-01"}}`, ctx{"aws:CurrentTime": {"2026-01-01T00:00:00Z"}}, false},
		{"Bool", `{"Bool":{"aws:SecureTransport":false}}`, ctx{"aws:SecureTransport": {"false"}}, true},
		{"Bool mismatch", `{"Bool":{"aws:SecureTransport":"false"}}`, ctx{"aws:SecureTransport": {"true"}}, false},
		{"BinaryEquals", `{"BinaryEquals":{"key":"QmluYXJ5VmFsdWVJbkJhc2U2NA=="}}`, ctx{"key": {"QmluYXJ5VmFsdWVJbkJhc2U2NA=="}}, true},
		// IAM User Guide example: "AWS: Denies access to AWS based on the source IP".
		{"IpAddress in CIDR", `{"IpAddress":{"aws:SourceIp":["192.0.2.0/24","203.0.113.0/24"]}}`, ctx{"aws:SourceIp": {"203.0.113.7"}}, true},
		{"IpAddress outside", `{"IpAddress":{"aws:SourceIp":"192.0.2.0/24"}}`, ctx{"aws:SourceIp": {"198.51.100.1"}}, false},
		{"NotIpAddress", `{"NotIpAddress":{"aws:SourceIp":"192.0.2.0/24"}}`, ctx{"aws:SourceIp": {"198.51.100.1"}}, true},
		{"IpAddress v6", `{"IpAddress":{"aws:SourceIp":"2001:db8::/32"}}`, ctx{"aws:SourceIp": {"2001:db8::1"}}, true},
		{"ArnEquals", `{"ArnEquals":{"aws:SourceArn":"arn:aws:s3:::bucket"}}`, ctx{"aws:SourceArn": {"arn:aws:s3:::bucket"}}, true},
		{"ArnLike", `{"ArnLike":{"aws:SourceArn":"arn:aws:events:*:000000000000:rule/*"}}`, ctx{"aws:SourceArn": {"arn:aws:events:us-east-1:000000000000:rule/bus/r"}}, true},
		{"ArnLike account part", `{"ArnLike":{"aws:SourceArn":"arn:aws:events:*:000000000000:rule/*"}}`, ctx{"aws:SourceArn": {"arn:aws:events:us-east-1:111111111111:rule/r"}}, false},
		{"ArnNotEquals", `{"ArnNotEquals":{"aws:SourceArn":"arn:aws:s3:::bucket"}}`, ctx{"aws:SourceArn": {"arn:aws:s3:::other"}}, true},
		{"ArnNotLike", `{"ArnNotLike":{"aws:SourceArn":"arn:aws:s3:::buck*"}}`, ctx{"aws:SourceArn": {"arn:aws:s3:::bucket"}}, false},
		{"principal ARN is the role", `{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::000000000000:role/ImageFnRole"}}`, nil, true},
		{"Null true on a missing key", `{"Null":{"aws:TokenIssueTime":"true"}}`, nil, true},
		{"Null true on a present key", `{"Null":{"aws:TokenIssueTime":"true"}}`, ctx{"aws:TokenIssueTime": {"x"}}, false},
		{"Null false on a present key", `{"Null":{"aws:TokenIssueTime":"false"}}`, ctx{"aws:TokenIssueTime": {"x"}}, true},
		// IAM User Guide, "Multivalued context keys".
		{"ForAllValues subset", `{"ForAllValues:StringEquals":{"aws:TagKeys":["environment","cost-center"]}}`, ctx{"aws:TagKeys": {"environment"}}, true},
		{"ForAllValues extra value", `{"ForAllValues:StringEquals":{"aws:TagKeys":["environment"]}}`, ctx{"aws:TagKeys": {"environment", "owner"}}, false},
		{"ForAllValues missing key", `{"ForAllValues:StringEquals":{"aws:TagKeys":["environment"]}}`, nil, true},
		{"ForAnyValue one matches", `{"ForAnyValue:StringEquals":{"aws:TagKeys":["environment"]}}`, ctx{"aws:TagKeys": {"owner", "environment"}}, true},
		{"ForAnyValue none", `{"ForAnyValue:StringEquals":{"aws:TagKeys":["environment"]}}`, ctx{"aws:TagKeys": {"owner"}}, false},
		{"ForAnyValue missing key", `{"ForAnyValue:StringEquals":{"aws:TagKeys":["environment"]}}`, nil, false},
		{"ForAllValues negated", `{"ForAllValues:StringNotEquals":{"aws:TagKeys":["secret"]}}`, ctx{"aws:TagKeys": {"a", "b"}}, true},
		{"ForAnyValue negated", `{"ForAnyValue:StringNotLike":{"aws:TagKeys":["a*"]}}`, ctx{"aws:TagKeys": {"ab", "ac"}}, false},
		{"ForAnyValue IfExists missing", `{"ForAnyValue:StringEqualsIfExists":{"aws:TagKeys":["a"]}}`, nil, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := Request{Principal: session, Action: "s3:ListBucket", Resource: "arn:aws:s3:::bucket", Context: c.ctx}
			d := Evaluate(r, []NamedPolicy{{Name: "p", Policy: mustParse(t, condPolicy(c.cond))}}, nil)
			if d.Allowed != c.want {
				t.Errorf("allowed = %v, want %v", d.Allowed, c.want)
			}
		})
	}
}
