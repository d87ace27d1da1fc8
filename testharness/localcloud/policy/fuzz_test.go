package policy

import "testing"

// FuzzParse feeds arbitrary documents to the parser and evaluates whatever
// parses: neither may panic.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{s3ReadWrite, condPolicy(`{"ForAnyValue:StringLikeIfExists":{"a":["${x}","*"]}}`),
		`{"Statement":{"Effect":"Deny","NotPrincipal":{"AWS":["*"],"Service":"x"},"NotAction":"s3:*","NotResource":"arn:*"}}`,
		`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::${aws:PrincipalAccount, 'x'}/*","Condition":{"Null":{"k":true},"NumericLessThan":{"n":[1,"2"]}}}],"Version":"2012-10-17"}`,
		`{}`, `[]`, `null`, `{"Statement":"x"}`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		p, err := Parse(doc)
		if err != nil {
			return
		}
		r := Request{Principal: session, Action: "s3:GetObject", Resource: "arn:aws:s3:::bucket/k",
			Context: map[string][]string{"a": {"1"}, "k": {}, "n": {"x"}}}
		_ = Evaluate(r, []NamedPolicy{{Name: "p", Policy: p}}, p)
	})
}
