package authz_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/tracebridge/tracebridge/testharness/localcloud/authz"
	"github.com/tracebridge/tracebridge/testharness/localcloud/gateway"
	"github.com/tracebridge/tracebridge/testharness/localcloud/identity"
	"github.com/tracebridge/tracebridge/testharness/localcloud/sigv4"
)

// BenchmarkGateway measures what SigV4 verification and policy evaluation
// add to a request through the gateway: the same signed requests of a role
// session (the app's function role: an inline policy of four statements;
// a bucket with CDK's enforceSSL policy) served with and without Secure,
// by handlers that do nothing.
func BenchmarkGateway(b *testing.B) {
	store := identity.NewStore()
	const role = "arn:aws:iam::000000000000:role/fn"
	creds := store.AssumeRole(role, "fn", time.Now(), time.Hour)
	a := authz.New(authz.Options{
		Roles: roles{role: {{Name: "Function", Document: map[string]any{"Version": "2012-10-17", "Statement": []any{
			map[string]any{"Sid": "WriteOwnLogs", "Effect": "Allow", "Action": []any{"logs:CreateLogStream", "logs:PutLogEvents"},
				"Resource": "arn:aws:logs:us-east-1:000000000000:log-group:fn:*"},
			map[string]any{"Sid": "SendTraces", "Effect": "Allow", "Action": []any{"xray:PutTraceSegments", "xray:PutTelemetryRecords"}, "Resource": "*"},
			map[string]any{"Sid": "ReadAndRewriteObjects", "Effect": "Allow", "Action": []any{"s3:GetObject", "s3:PutObject"}, "Resource": "arn:aws:s3:::bucket/*"},
			map[string]any{"Sid": "PutCompletionEvents", "Effect": "Allow", "Action": "events:PutEvents", "Resource": "arn:aws:events:us-east-1:000000000000:event-bus/app"},
			map[string]any{"Sid": "Items", "Effect": "Allow", "Action": "dynamodb:PutItem", "Resource": "arn:aws:dynamodb:us-east-1:000000000000:table/T"},
		}}}}},
		Resources: resources{"arn:aws:s3:::bucket": `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"s3:*",
			"Resource":["arn:aws:s3:::bucket","arn:aws:s3:::bucket/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`},
		S3Address: pathStyle,
	})
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusOK)
	})
	newGateway := func(secure bool) *gateway.Gateway {
		g := gateway.New(store)
		g.Register(gateway.Route{Service: "dynamodb", SigningNames: []string{"dynamodb"}, TargetPrefixes: []string{"DynamoDB_20120810"}, Auth: sigv4.JSON, Handler: ok})
		g.Register(gateway.Route{Service: "logs", SigningNames: []string{"logs"}, TargetPrefixes: []string{"Logs_20140328"}, Auth: sigv4.JSON, Handler: ok})
		g.Register(gateway.Route{Service: "s3", SigningNames: []string{"s3"}, Fallback: true, Auth: sigv4.S3, Handler: ok})
		if secure {
			g.Secure(gateway.Security{Keys: store, Authorizer: a})
		}
		return g
	}
	requests := map[string]func() *http.Request{
		"dynamodb.PutItem": signed(b, creds, "dynamodb", "DynamoDB_20120810.PutItem", "/",
			`{"TableName":"T","Item":{"PK":{"S":"USER#ada"},"SK":{"S":"PROFILE"},"correlation_id":{"S":"c-1"}}}`),
		"logs.PutLogEvents": signed(b, creds, "logs", "Logs_20140328.PutLogEvents", "/",
			`{"logGroupName":"fn","logStreamName":"2026/11/25/[$LATEST]0123","logEvents":[{"timestamp":1,"message":"hello"}]}`),
		"s3.PutObject": signed(b, creds, "s3", "", "/bucket/uploads/photo.png", "0123456789abcdef0123456789abcdef"),
	}
	for name, next := range requests {
		for _, secure := range []bool{false, true} {
			mode := "off"
			if secure {
				mode = "on"
			}
			b.Run(name+"/iam="+mode, func(b *testing.B) {
				g := newGateway(secure)
				b.ReportAllocs()
				for b.Loop() {
					w := httptest.NewRecorder()
					g.ServeHTTP(w, next())
					if w.Code != http.StatusOK {
						b.Fatalf("status %d: %s", w.Code, w.Body)
					}
				}
			})
		}
	}
}

// signed signs a request once and returns a function that replays it
// with a fresh body.
func signed(b *testing.B, creds identity.Credentials, service, target, path, body string) func() *http.Request {
	b.Helper()
	r := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:4566"+path, nil)
	r.RemoteAddr = "127.0.0.1:40000" // as an SDK on this machine calls
	if service == "s3" {
		r.Method = http.MethodPut
	}
	if target != "" {
		r.Header.Set("X-Amz-Target", target)
		r.Header.Set("Content-Type", "application/x-amz-json-1.0")
	}
	sum := sha256.Sum256([]byte(body))
	hash := hex.EncodeToString(sum[:])
	if service == "s3" {
		r.Header.Set("X-Amz-Content-Sha256", hash)
	}
	err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: creds.AccessKeyID,
		SecretAccessKey: creds.SecretAccessKey, SessionToken: creds.SessionToken}, r, hash, service, "us-east-1", time.Now())
	if err != nil {
		b.Fatal(err)
	}
	return func() *http.Request {
		c := r.Clone(r.Context())
		c.Body = io.NopCloser(bytes.NewReader([]byte(body)))
		c.ContentLength = int64(len(body))
		return c
	}
}
