package sigv4

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// BenchmarkVerifyJSON verifies a signed DynamoDB PutItem as the gateway
// does for every awsJson request, signing keys cached.
func BenchmarkVerifyJSON(b *testing.B) {
	const body = `{"TableName":"app-table","Item":{"PK":{"S":"USER#1"},"SK":{"S":"PROFILE"},"name":{"S":"Ada"}}}`
	r := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:4566/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-amz-json-1.0")
	r.Header.Set("X-Amz-Target", "DynamoDB_20120810.PutItem")
	r.Header.Set("User-Agent", "aws-sdk-go-v2/1.48.0")
	sign(b, r, roleKey, "dynamodb", hashHex([]byte(body)))
	v := Verifier{Family: JSON, Lookup: lookup, Keys: new(KeyCache)}
	now := signedAt.Add(time.Second)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(r, Body([]byte(body)), now); err != nil {
			b.Fatal(err)
		}
	}
}
