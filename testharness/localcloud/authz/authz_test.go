package authz_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tracebridge/tracebridge/testharness/localcloud/authz"
	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
	"github.com/tracebridge/tracebridge/testharness/localcloud/iam"
	"github.com/tracebridge/tracebridge/testharness/localcloud/identity"
)

// roles is a RoleStore of fixed documents.
type roles map[string][]iam.PolicyDocument

func (roles) Generation() uint64 { return 1 }

func (r roles) RolePolicies(roleARN string) ([]iam.PolicyDocument, error) {
	docs, ok := r[roleARN]
	if !ok {
		return nil, errors.New("NoSuchEntity")
	}
	return docs, nil
}

// resources is a ResourcePolicies of fixed documents by ARN.
type resources map[string]string

func (r resources) ResourcePolicy(_ context.Context, resourceARN string) (string, error) {
	bucket, _, _ := strings.Cut(resourceARN, "/")
	return r[bucket], nil
}

const (
	emptyRole = "arn:aws:iam::000000000000:role/empty"
	s3Role    = "arn:aws:iam::000000000000:role/writer"
)

func pathStyle(r *http.Request) (string, string) {
	bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	return bucket, key
}

func newAuthorizer(res resources) *authz.Authorizer {
	return authz.New(authz.Options{
		Roles: roles{
			emptyRole: nil,
			s3Role: {{Name: "Function", Document: map[string]any{"Version": "2012-10-17", "Statement": []any{
				map[string]any{"Effect": "Allow", "Action": []any{"s3:GetObject", "s3:PutObject"}, "Resource": "arn:aws:s3:::bucket/*"},
			}}}},
		},
		Resources: res,
		S3Address: pathStyle,
	})
}

// request builds a request made by principal p from loopback.
func request(p identity.Principal, method, target, body string, header ...string) *http.Request {
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	r.RemoteAddr = "127.0.0.1:5555"
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	return r.WithContext(identity.NewContext(r.Context(), p))
}

func session(role string) identity.Principal {
	return identity.RoleSession(role, "fn", "ASIAEXAMPLE")
}

func TestOperationsMapToActionsAndResources(t *testing.T) {
	a := newAuthorizer(nil)
	p := session(emptyRole)
	const target = "X-Amz-Target"
	tests := []struct {
		name, service string
		r             *http.Request
		want          string // "ACTION on resource: RESOURCE"
	}{
		{"HeadObject", "s3", request(p, "HEAD", "/bucket/a/b.png", ""), `s3:GetObject on resource: "arn:aws:s3:::bucket/a/b.png"`},
		{"GetObject version", "s3", request(p, "GET", "/bucket/k?versionId=3", ""), `s3:GetObjectVersion on resource: "arn:aws:s3:::bucket/k"`},
		{"ListObjectsV2", "s3", request(p, "GET", "/bucket?list-type=2", ""), `s3:ListBucket on resource: "arn:aws:s3:::bucket"`},
		{"CopyObject reads its source first", "s3", request(p, "PUT", "/bucket/dst", "", "X-Amz-Copy-Source", "/src/obj%20ü.png"),
			`s3:GetObject on resource: "arn:aws:s3:::src/obj ü.png"`},
		{"PutBucketPolicy", "s3", request(p, "PUT", "/bucket?policy", "{}"), `s3:PutBucketPolicy on resource: "arn:aws:s3:::bucket"`},
		{"PutBucketLogging", "s3", request(p, "PUT", "/bucket?logging", "<BucketLoggingStatus/>"), `s3:PutBucketLogging on resource: "arn:aws:s3:::bucket"`},
		{"PutItem", "dynamodb", request(p, "POST", "/", `{"TableName":"T","Item":{}}`, target, "DynamoDB_20120810.PutItem"),
			"dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:000000000000:table/T "},
		{"Query of an index", "dynamodb", request(p, "POST", "/", `{"TableName":"T","IndexName":"I"}`, target, "DynamoDB_20120810.Query"),
			"dynamodb:Query on resource: arn:aws:dynamodb:us-east-1:000000000000:table/T/index/I "},
		{"BatchWriteItem", "dynamodb", request(p, "POST", "/", `{"RequestItems":{"B":[],"A":[]}}`, target, "DynamoDB_20120810.BatchWriteItem"),
			"dynamodb:BatchWriteItem on resource: arn:aws:dynamodb:us-east-1:000000000000:table/A "},
		{"TransactWriteItems", "dynamodb", request(p, "POST", "/", `{"TransactItems":[{"Update":{"TableName":"T"}}]}`, target, "DynamoDB_20120810.TransactWriteItems"),
			"dynamodb:UpdateItem on resource: arn:aws:dynamodb:us-east-1:000000000000:table/T "},
		{"GetRecords", "dynamodbstreams", request(p, "POST", "/", `{"ShardIterator":"arn:aws:dynamodb:us-east-1:000000000000:table/T/stream/L|abc"}`, target, "DynamoDBStreams_20120810.GetRecords"),
			"dynamodb:GetRecords on resource: arn:aws:dynamodb:us-east-1:000000000000:table/T/stream/L "},
		{"PutLogEvents", "logs", request(p, "POST", "/", `{"logGroupName":"g","logStreamName":"s/[1]"}`, target, "Logs_20140328.PutLogEvents"),
			"logs:PutLogEvents on resource: arn:aws:logs:us-east-1:000000000000:log-group:g:log-stream:s/[1] "},
		{"FilterLogEvents", "logs", request(p, "POST", "/", `{"logGroupName":"g"}`, target, "Logs_20140328.FilterLogEvents"),
			"logs:FilterLogEvents on resource: arn:aws:logs:us-east-1:000000000000:log-group:g:* "},
		{"PutEvents", "events", request(p, "POST", "/", `{"Entries":[{"EventBusName":"app"}]}`, target, "AWSEvents.PutEvents"),
			"events:PutEvents on resource: arn:aws:events:us-east-1:000000000000:event-bus/app "},
		{"PutEvents on the default bus", "events", request(p, "POST", "/", `{"Entries":[{}]}`, target, "AWSEvents.PutEvents"),
			"events:PutEvents on resource: arn:aws:events:us-east-1:000000000000:event-bus/default "},
		{"PutRule", "events", request(p, "POST", "/", `{"Name":"r","EventBusName":"app"}`, target, "AWSEvents.PutRule"),
			"events:PutRule on resource: arn:aws:events:us-east-1:000000000000:rule/app/r "},
		{"SendMessageBatch", "sqs", request(p, "POST", "/", `{"QueueUrl":"http://localhost:4566/000000000000/q"}`, target, "AmazonSQS.SendMessageBatch"),
			"sqs:SendMessage on resource: arn:aws:sqs:us-east-1:000000000000:q "},
		{"SendMessage (query)", "sqs", request(p, "POST", "/", "Action=SendMessage&QueueUrl=http%3A%2F%2Flocalhost%2F000000000000%2Fq", "Content-Type", "application/x-www-form-urlencoded"),
			"sqs:SendMessage on resource: arn:aws:sqs:us-east-1:000000000000:q "},
		{"StartExecution", "states", request(p, "POST", "/", `{"stateMachineArn":"arn:aws:states:us-east-1:000000000000:stateMachine:m"}`, target, "AWSStepFunctions.StartExecution"),
			"states:StartExecution on resource: arn:aws:states:us-east-1:000000000000:stateMachine:m "},
		{"Invoke", "lambda", request(p, "POST", "/2015-03-31/functions/fn/invocations?Qualifier=live", ""),
			"lambda:InvokeFunction on resource: arn:aws:lambda:us-east-1:000000000000:function:fn:live "},
		{"CreateFunction", "lambda", request(p, "POST", "/2015-03-31/functions", `{"FunctionName":"fn","Code":{"ZipFile":"UEs="}}`),
			"lambda:CreateFunction on resource: arn:aws:lambda:us-east-1:000000000000:function:fn "},
		{"UpdateFunctionCode", "lambda", request(p, "PUT", "/2015-03-31/functions/fn/code", `{"ZipFile":"UEs="}`),
			"lambda:UpdateFunctionCode on resource: arn:aws:lambda:us-east-1:000000000000:function:fn "},
		{"PutTraceSegments", "xray", request(p, "POST", "/TraceSegments", "{}"), "xray:PutTraceSegments on resource: * "},
		{"GetRole", "iam", request(p, "POST", "/", "Action=GetRole&RoleName=r"), "iam:GetRole on resource: arn:aws:iam::000000000000:role/r "},
		{"DescribePipe", "pipes", request(p, "GET", "/v1/pipes/p", ""), "pipes:DescribePipe on resource: arn:aws:pipes:us-east-1:000000000000:pipe/p "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := readBody(t, tt.r)
			err := a.Authorize(tt.r, tt.service, body)
			e := awsproto.AsError(err)
			if err == nil || !strings.Contains(e.Message+" ", "perform: "+tt.want) {
				t.Fatalf("denial = %v, want one for %s", err, tt.want)
			}
		})
	}
}

func readBody(t *testing.T, r *http.Request) []byte {
	t.Helper()
	var b strings.Builder
	buf := make([]byte, 512)
	for {
		n, err := r.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			return []byte(b.String())
		}
	}
}

func TestDenialsAreWordedAndShapedAsEachServiceAnswers(t *testing.T) {
	a := newAuthorizer(nil)
	p := session(s3Role)
	err := a.Authorize(request(p, "DELETE", "/bucket/photo.png", ""), "s3", nil)
	want := `User: arn:aws:sts::000000000000:assumed-role/writer/fn is not authorized to perform: s3:DeleteObject on resource: "arn:aws:s3:::bucket/photo.png" because no identity-based policy allows the s3:DeleteObject action`
	if e := awsproto.AsError(err); e.Code != "AccessDenied" || e.Status != http.StatusForbidden || e.Message != want {
		t.Errorf("S3 denial = %d %s %q\nwant 403 AccessDenied %q", e.Status, e.Code, e.Message, want)
	}
	for service, status := range map[string]int{"dynamodb": 400, "lambda": 403, "logs": 400} {
		r := request(p, "POST", "/2015-03-31/functions/f/invocations", `{"TableName":"T","logGroupName":"g","logStreamName":"s"}`,
			"X-Amz-Target", map[string]string{"dynamodb": "DynamoDB_20120810.GetItem", "logs": "Logs_20140328.PutLogEvents"}[service])
		e := awsproto.AsError(a.Authorize(r, service, readBody(t, r)))
		if e.Code != "AccessDeniedException" || e.Status != status {
			t.Errorf("%s denial = %d %s, want %d AccessDeniedException", service, e.Status, e.Code, status)
		}
	}
	if err := a.Authorize(request(p, "PUT", "/bucket/photo.png", "x"), "s3", nil); err != nil {
		t.Errorf("PutObject granted by the role's policy: %v", err)
	}
}

func TestResourcePoliciesAndConditions(t *testing.T) {
	// CDK's enforceSSL statement, and a deny of one prefix to everyone.
	bucketPolicy := `{"Version":"2012-10-17","Statement":[
		{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"s3:*","Resource":["arn:aws:s3:::bucket","arn:aws:s3:::bucket/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}},
		{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","NotResource":"arn:aws:s3:::bucket/public/*","Condition":{"StringNotEquals":{"aws:PrincipalArn":"arn:aws:iam::000000000000:role/writer"}}},
		{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/public/*"}]}`
	a := newAuthorizer(resources{"arn:aws:s3:::bucket": bucketPolicy})
	root := identity.Root()

	// Loopback is secure transport: the administrator may write.
	if err := a.Authorize(request(root, "PUT", "/bucket/k", "x"), "s3", nil); err != nil {
		t.Errorf("administrator over loopback: %v", err)
	}
	// Plain HTTP from another host is not: the bucket policy denies even
	// the administrator, with an explicit deny.
	r := request(root, "PUT", "/bucket/k", "x")
	r.RemoteAddr = "192.0.2.7:4000"
	if e := awsproto.AsError(a.Authorize(r, "s3", nil)); !strings.HasSuffix(e.Message, "with an explicit deny in a resource-based policy") {
		t.Errorf("plain HTTP from another host: %v", e)
	}
	// NotResource + aws:PrincipalArn: the administrator may not read
	// outside public/, the writer role may.
	if e := awsproto.AsError(a.Authorize(request(root, "GET", "/bucket/private", ""), "s3", nil)); e == nil || e.Code != "AccessDenied" {
		t.Errorf("administrator reading outside public/: %v", e)
	}
	if err := a.Authorize(request(session(s3Role), "GET", "/bucket/private", ""), "s3", nil); err != nil {
		t.Errorf("writer role reading: %v", err)
	}
	// Anonymous: allowed by the policy's "*" grant, else Access Denied.
	if err := a.Authorize(request(identity.Anonymous(), "GET", "/bucket/public/x", ""), "s3", nil); err != nil {
		t.Errorf("anonymous read of public/: %v", err)
	}
	e := awsproto.AsError(a.Authorize(request(identity.Anonymous(), "PUT", "/bucket/public/x", ""), "s3", nil))
	if e == nil || e.Code != "AccessDenied" || e.Message != "Access Denied" {
		t.Errorf("anonymous write: %v", e)
	}
}

func TestServicePrincipalsNeedTheResourcePolicy(t *testing.T) {
	queue := "arn:aws:sqs:us-east-1:000000000000:dlq"
	rule := "arn:aws:events:us-east-1:000000000000:rule/r"
	a := authz.New(authz.Options{Roles: roles{}, Resources: resources{queue: `{"Statement":[{"Effect":"Allow",
		"Principal":{"Service":"events.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"` + queue + `",
		"Condition":{"ArnEquals":{"aws:SourceArn":"` + rule + `"}}}]}`}})
	check := authz.Check{Service: "sqs", Action: "sqs:SendMessage", Resource: queue, Context: map[string][]string{"aws:SourceArn": {rule}}}
	if err := a.CheckService(context.Background(), "events.amazonaws.com", check); err != nil {
		t.Errorf("rule %s sending to its queue: %v", rule, err)
	}
	check.Context = map[string][]string{"aws:SourceArn": {rule + "-other"}}
	err := a.CheckService(context.Background(), "events.amazonaws.com", check)
	if e := awsproto.AsError(err); err == nil || !strings.Contains(e.Message, "because no resource-based policy allows the sqs:SendMessage action") {
		t.Errorf("another rule: %v", err)
	}
}

func TestGetCallerIdentityNeedsNoPermission(t *testing.T) {
	a := newAuthorizer(nil)
	if err := a.Authorize(request(session(emptyRole), "POST", "/", "Action=GetCallerIdentity&Version=2011-06-15"), "sts",
		[]byte("Action=GetCallerIdentity&Version=2011-06-15")); err != nil {
		t.Errorf("GetCallerIdentity: %v", err)
	}
}
