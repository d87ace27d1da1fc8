package policy

import (
	"strings"
	"testing"
)

const account = "000000000000"

var session = Principal{
	ARN:         "arn:aws:sts::000000000000:assumed-role/ImageFnRole/image-metadata",
	Account:     account,
	RoleARN:     "arn:aws:iam::000000000000:role/ImageFnRole",
	SessionName: "image-metadata",
}

func mustParse(t testing.TB, doc string) *Policy {
	t.Helper()
	p, err := Parse([]byte(doc))
	if err != nil {
		t.Fatalf("parse %s: %v", doc, err)
	}
	return p
}

type evalCase struct {
	name     string
	identity []string
	resource string
	req      Request
	want     Reason
	sid      string
}

func runCases(t *testing.T, cases []evalCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var ids []NamedPolicy
			for i, doc := range c.identity {
				ids = append(ids, NamedPolicy{Name: "p" + string(rune('0'+i)), Policy: mustParse(t, doc)})
			}
			var res *Policy
			if c.resource != "" {
				res = mustParse(t, c.resource)
			}
			if c.req.Principal == (Principal{}) {
				c.req.Principal = session
			}
			d := Evaluate(c.req, ids, res)
			allowed := c.want == AllowedByIdentity || c.want == AllowedByResource
			if d.Reason != c.want || d.Allowed != allowed {
				t.Fatalf("decision %+v, want reason %v", d, c.want)
			}
			if c.sid != "" && d.Sid != c.sid {
				t.Errorf("decided by %q, want %q", d.Sid, c.sid)
			}
		})
	}
}

func req(action, resource string, ctx map[string][]string) Request {
	return Request{Action: action, Resource: resource, Context: ctx}
}

// IAM User Guide, "Example policies": "Amazon S3: Allows read and write
// access to objects in an S3 Bucket".
const s3ReadWrite = `{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "ListObjectsInBucket", "Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": ["arn:aws:s3:::bucket-name"]},
    {"Sid": "AllObjectActions", "Effect": "Allow", "Action": "s3:*Object", "Resource": ["arn:aws:s3:::bucket-name/*"]}
  ]
}`

func TestEvaluateActionsAndResources(t *testing.T) {
	runCases(t, []evalCase{
		{name: "object action in bucket", identity: []string{s3ReadWrite},
			req: req("s3:PutObject", "arn:aws:s3:::bucket-name/dir/a/b.png", nil), want: AllowedByIdentity, sid: "AllObjectActions"},
		{name: "list on the bucket", identity: []string{s3ReadWrite},
			req: req("s3:ListBucket", "arn:aws:s3:::bucket-name", nil), want: AllowedByIdentity, sid: "ListObjectsInBucket"},
		{name: "object action on the bucket ARN", identity: []string{s3ReadWrite},
			req: req("s3:GetObject", "arn:aws:s3:::bucket-name", nil), want: NoIdentityAllow},
		{name: "other bucket", identity: []string{s3ReadWrite},
			req: req("s3:GetObject", "arn:aws:s3:::other/x", nil), want: NoIdentityAllow},
		{name: "action not matched by *Object", identity: []string{s3ReadWrite},
			req: req("s3:GetObjectTagging", "arn:aws:s3:::bucket-name/x", nil), want: NoIdentityAllow},
		{name: "action case-insensitive", identity: []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"S3:get*","Resource":"*"}}`},
			req: req("s3:GetObject", "arn:aws:s3:::b/k", nil), want: AllowedByIdentity},
		{name: "? matches one character", identity: []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:?etItem","Resource":"*"}}`},
			req: req("dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:000000000000:table/T", nil), want: AllowedByIdentity},
		{name: "? needs exactly one", identity: []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:?etItem","Resource":"*"}}`},
			req: req("dynamodb:BatchGetItem", "arn:aws:dynamodb:us-east-1:000000000000:table/T", nil), want: NoIdentityAllow},
		{name: "* in a resource spans slashes and colons",
			identity: []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"logs:PutLogEvents","Resource":"arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/*"}}`},
			req:      req("logs:PutLogEvents", "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/fn:log-stream:2026/01/01/[$LATEST]abc", nil), want: AllowedByIdentity},
		{name: "* in the region stays in the region",
			identity: []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sqs:*","Resource":"arn:aws:sqs:*:000000000000:queue"}}`},
			req:      req("sqs:SendMessage", "arn:aws:sqs:us-east-1:000000000000:queue", nil), want: AllowedByIdentity},
		{name: "account part must match",
			identity: []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sqs:*","Resource":"arn:aws:sqs:*:111111111111:*"}}`},
			req:      req("sqs:SendMessage", "arn:aws:sqs:us-east-1:000000000000:queue", nil), want: NoIdentityAllow},
		{name: "table and its streams",
			identity: []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["dynamodb:GetRecords"],"Resource":"arn:aws:dynamodb:us-east-1:000000000000:table/App/stream/*"}}`},
			req:      req("dynamodb:GetRecords", "arn:aws:dynamodb:us-east-1:000000000000:table/App/stream/2026-01-01T00:00:00.000", nil), want: AllowedByIdentity},
		// IAM User Guide, "NotAction": allow everything except IAM.
		{name: "NotAction allows others", identity: []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}}`},
			req: req("s3:GetObject", "arn:aws:s3:::b/k", nil), want: AllowedByIdentity},
		{name: "NotAction excludes", identity: []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}}`},
			req: req("iam:CreateUser", "arn:aws:iam::000000000000:user/x", nil), want: NoIdentityAllow},
		// IAM User Guide, "NotResource": deny S3 outside one bucket.
		{name: "NotResource deny outside the bucket", identity: []string{s3ReadWrite, `{"Version":"2012-10-17","Statement":{"Sid":"OnlyThisBucket","Effect":"Deny","Action":"s3:*","NotResource":["arn:aws:s3:::bucket-name","arn:aws:s3:::bucket-name/*"]}}`, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`},
			req: req("s3:GetObject", "arn:aws:s3:::other/k", nil), want: ExplicitDenyIdentity, sid: "OnlyThisBucket"},
		{name: "NotResource leaves the bucket", identity: []string{`{"Version":"2012-10-17","Statement":{"Sid":"OnlyThisBucket","Effect":"Deny","Action":"s3:*","NotResource":["arn:aws:s3:::bucket-name","arn:aws:s3:::bucket-name/*"]}}`, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`},
			req: req("s3:GetObject", "arn:aws:s3:::bucket-name/k", nil), want: AllowedByIdentity},
		{name: "explicit deny beats allow", identity: []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},{"Sid":"NoDelete","Effect":"Deny","Action":"s3:DeleteObject","Resource":"*"}]}`},
			req: req("s3:DeleteObject", "arn:aws:s3:::b/k", nil), want: ExplicitDenyIdentity, sid: "NoDelete"},
		{name: "no policies at all", req: req("s3:GetObject", "arn:aws:s3:::b/k", nil), want: NoIdentityAllow},
		{name: "action without resource-level permissions", identity: []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["xray:PutTraceSegments"],"Resource":"*"}}`},
			req: req("xray:PutTraceSegments", "*", nil), want: AllowedByIdentity},
		{name: "policy variable in resource", identity: []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::bucket/${aws:PrincipalAccount}/*"}}`},
			req: req("s3:PutObject", "arn:aws:s3:::bucket/000000000000/x", nil), want: AllowedByIdentity},
		{name: "policy variable without a value matches nothing", identity: []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::bucket/${aws:username}/*"}}`},
			req: req("s3:PutObject", "arn:aws:s3:::bucket/x/y", nil), want: NoIdentityAllow},
		{name: "policy variables need Version 2012-10-17", identity: []string{`{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::bucket/${aws:PrincipalAccount}/*"}}`},
			req: req("s3:PutObject", "arn:aws:s3:::bucket/000000000000/x", nil), want: NoIdentityAllow},
	})
}

func TestEvaluateResourcePolicies(t *testing.T) {
	events := Principal{Service: "events.amazonaws.com"}
	// What CDK synthesizes for an EventBridge rule's Lambda target
	// (AWS::Lambda::Permission), as the function policy Lambda returns.
	lambdaPolicy := `{"Version":"2012-10-17","Id":"default","Statement":[{"Sid":"rule","Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:us-east-1:000000000000:function:fn","Condition":{"ArnLike":{"AWS:SourceArn":"arn:aws:events:us-east-1:000000000000:rule/app-bus/*"}}}]}`
	// Amazon S3 User Guide, "Bucket policy examples": deny plain HTTP.
	denyInsecure := `{"Version":"2012-10-17","Statement":[{"Sid":"AllowRole","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:role/ImageFnRole"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/*"},{"Sid":"RestrictToTLSRequestsOnly","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::bucket","arn:aws:s3:::bucket/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`
	accountOnly := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"s3:*","Resource":"arn:aws:s3:::bucket/*"}}`
	notPrincipal := `{"Version":"2012-10-17","Statement":{"Sid":"OnlyTheRole","Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::000000000000:role/ImageFnRole"},"Action":"s3:*","Resource":"arn:aws:s3:::bucket/*"}}`
	allowAll := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`
	tls := map[string][]string{"aws:SecureTransport": {"true"}}
	runCases(t, []evalCase{
		{name: "service principal allowed with its source", resource: lambdaPolicy,
			req: Request{Principal: events, Action: "lambda:InvokeFunction", Resource: "arn:aws:lambda:us-east-1:000000000000:function:fn",
				Context: map[string][]string{"aws:SourceArn": {"arn:aws:events:us-east-1:000000000000:rule/app-bus/on-upload"}}},
			want: AllowedByResource, sid: "rule"},
		{name: "service principal from another rule", resource: lambdaPolicy,
			req: Request{Principal: events, Action: "lambda:InvokeFunction", Resource: "arn:aws:lambda:us-east-1:000000000000:function:fn",
				Context: map[string][]string{"aws:SourceArn": {"arn:aws:events:us-east-1:000000000000:rule/default/other"}}},
			want: NoResourceAllow},
		{name: "service principal without a resource policy", identity: []string{allowAll},
			req: Request{Principal: events, Action: "lambda:InvokeFunction", Resource: "arn:aws:lambda:us-east-1:000000000000:function:fn"}, want: NoResourceAllow},
		{name: "bucket policy grants the role", resource: denyInsecure,
			req: req("s3:GetObject", "arn:aws:s3:::bucket/k", tls), want: AllowedByResource, sid: "AllowRole"},
		{name: "bucket policy denies plain HTTP", identity: []string{allowAll}, resource: denyInsecure,
			req: req("s3:GetObject", "arn:aws:s3:::bucket/k", map[string][]string{"aws:SecureTransport": {"false"}}), want: ExplicitDenyResource, sid: "RestrictToTLSRequestsOnly"},
		{name: "account principal delegates to identity policies", resource: accountOnly,
			req: req("s3:GetObject", "arn:aws:s3:::bucket/k", nil), want: NoIdentityAllow},
		{name: "account principal with identity allow", identity: []string{allowAll}, resource: accountOnly,
			req: req("s3:GetObject", "arn:aws:s3:::bucket/k", nil), want: AllowedByIdentity},
		{name: "NotPrincipal deny spares the role", identity: []string{allowAll}, resource: notPrincipal,
			req: req("s3:GetObject", "arn:aws:s3:::bucket/k", nil), want: AllowedByIdentity},
		{name: "NotPrincipal deny hits others", identity: []string{allowAll}, resource: notPrincipal,
			req: Request{Principal: Principal{ARN: "arn:aws:sts::000000000000:assumed-role/Other/s", Account: account, RoleARN: "arn:aws:iam::000000000000:role/Other"},
				Action: "s3:GetObject", Resource: "arn:aws:s3:::bucket/k"}, want: ExplicitDenyResource, sid: "OnlyTheRole"},
		{name: "cross-account needs the resource policy", identity: []string{allowAll},
			req: Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::theirs/k", ResourceAccount: "111111111111"}, want: NoResourceAllow},
		{name: "cross-account with both", identity: []string{allowAll},
			resource: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"000000000000"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::theirs/*"}}`,
			req:      Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::theirs/k", ResourceAccount: "111111111111"}, want: AllowedByIdentity},
		{name: "cross-account without identity allow",
			resource: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::theirs/*"}}`,
			req:      Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::theirs/k", ResourceAccount: "111111111111"}, want: NoIdentityAllow},
	})
}

func TestMessage(t *testing.T) {
	r := req("s3:PutObject", "arn:aws:s3:::bucket/key", nil)
	r.Principal = session
	for _, c := range []struct {
		req    Request
		reason Reason
		want   string
	}{
		{r, NoIdentityAllow, `User: arn:aws:sts::000000000000:assumed-role/ImageFnRole/image-metadata is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::bucket/key" because no identity-based policy allows the s3:PutObject action`},
		{r, ExplicitDenyIdentity, `User: arn:aws:sts::000000000000:assumed-role/ImageFnRole/image-metadata is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::bucket/key" with an explicit deny in an identity-based policy`},
		{r, ExplicitDenyResource, `User: arn:aws:sts::000000000000:assumed-role/ImageFnRole/image-metadata is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::bucket/key" with an explicit deny in a resource-based policy`},
		{Request{Principal: session, Action: "dynamodb:PutItem", Resource: "arn:aws:dynamodb:us-east-1:000000000000:table/T"}, NoIdentityAllow,
			"User: arn:aws:sts::000000000000:assumed-role/ImageFnRole/image-metadata is not authorized to perform: dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:000000000000:table/T because no identity-based policy allows the dynamodb:PutItem action"},
		{Request{Principal: session, Action: "lambda:InvokeFunction", Resource: "arn:aws:lambda:us-east-1:111111111111:function:f"}, NoResourceAllow,
			"User: arn:aws:sts::000000000000:assumed-role/ImageFnRole/image-metadata is not authorized to perform: lambda:InvokeFunction on resource: arn:aws:lambda:us-east-1:111111111111:function:f because no resource-based policy allows the lambda:InvokeFunction action"},
	} {
		if got := Message(c.req, Decision{Reason: c.reason}); got != c.want {
			t.Errorf("got  %s\nwant %s", got, c.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for doc, want := range map[string]string{
		`not json`:                 "Syntax errors in policy",
		`{"Version":"2012-10-17"}`: "Missing required field Statement",
		`{"Statement":{"Effect":"Maybe","Action":"s3:*","Resource":"*"}}`:                                        "Invalid effect: Maybe",
		`{"Statement":{"Action":"s3:*","Resource":"*"}}`:                                                         "Missing required field Effect",
		`{"Statement":{"Effect":"Allow","Resource":"*"}}`:                                                        "Policy statement must contain actions.",
		`{"Statement":{"Effect":"Allow","Action":"s3:*","NotAction":"s3:Get*"}}`:                                 "both Action and NotAction",
		`{"Statement":{"Effect":"Allow","Action":"GetObject","Resource":"*"}}`:                                   "prefaced by a vendor",
		`{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringSortOf":{"a":"b"}}}}`: "Invalid Condition type : StringSortOf.",
		`{"Version":"2013-01-01","Statement":[]}`:                                                                "invalid Version",
		`{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Principal":"me"}}`:                       "Invalid principal",
		`{"Statement":{"Effect":"Allow","Action":["s3:*",3],"Resource":"*"}}`:                                    "Action values must be strings",
	} {
		_, err := Parse([]byte(doc))
		if err == nil || !strings.Contains(err.Error(), "MalformedPolicyDocument") || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", doc, err, want)
		}
	}
}

// TestFromIAMStoreDocument evaluates a role's policies in the shape the IAM
// store returns (iam.PolicyDocument.Document, decoded JSON), including the
// AWS managed policy this package ships.
func TestFromIAMStoreDocument(t *testing.T) {
	inline := map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
		"Effect": "Allow", "Action": []any{"s3:GetObject*", "s3:PutObject"}, "Resource": []any{"arn:aws:s3:::bucket/*"},
	}}}
	p, err := FromDocument(inline)
	if err != nil {
		t.Fatal(err)
	}
	doc, ok := AWSManaged("arn:aws:iam::aws:policy/service-role/AWSLambdaDynamoDBExecutionRole")
	if !ok {
		t.Fatal("AWSLambdaDynamoDBExecutionRole is not shipped")
	}
	streams := mustParse(t, string(doc))
	ids := []NamedPolicy{{Name: "HandlerServiceRoleDefaultPolicy", Policy: p}, {Name: "AWSLambdaDynamoDBExecutionRole", Policy: streams}}
	for action, want := range map[string]bool{"s3:GetObjectTagging": true, "s3:DeleteObject": false, "dynamodb:GetRecords": true, "dynamodb:PutItem": false} {
		resource := "arn:aws:s3:::bucket/k"
		if strings.HasPrefix(action, "dynamodb") {
			resource = "arn:aws:dynamodb:us-east-1:000000000000:table/T/stream/x"
		}
		if d := Evaluate(Request{Principal: session, Action: action, Resource: resource}, ids, nil); d.Allowed != want {
			t.Errorf("%s: %+v", action, d)
		}
	}
	sqsDoc, ok := AWSManaged("arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole")
	if !ok || !strings.Contains(string(sqsDoc), "sqs:ReceiveMessage") {
		t.Error("AWSLambdaSQSQueueExecutionRole is not shipped")
	}
	if _, ok := AWSManaged("arn:aws:iam::aws:policy/AdministratorAccess"); ok {
		t.Error("a policy this package does not ship was found")
	}
}
