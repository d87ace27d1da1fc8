package dynamodb_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// TestMalformedRequestsAreRejectedAsDynamoDBDoes posts what the SDK would
// refuse to send: no TableName, an empty body, a body that is not UTF-8.
func TestMalformedRequestsAreRejectedAsDynamoDBDoes(t *testing.T) {
	e := newEnv(t)
	e.table(t, "Tbl")
	const nullTable = "1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null"
	cases := []struct {
		op, body, code, msg string
	}{
		{"PutItem", ``, "ValidationException", nullTable},
		{"GetItem", `{}`, "ValidationException", nullTable},
		{"Query", `{"KeyConditionExpression":"PK = :a"}`, "ValidationException", nullTable},
		{"PutItem", "{\"TableName\":\"Tbl\",\"Item\":{\"PK\":{\"S\":\"a\"},\"SK\":{\"S\":\"b\xff\"}}}", "SerializationException", ""},
	}
	for _, c := range cases {
		req, _ := http.NewRequest(http.MethodPost, e.url, bytes.NewBufferString(c.body))
		req.Header.Set("X-Amz-Target", "DynamoDB_20120810."+c.op)
		req.Header.Set("Content-Type", "application/x-amz-json-1.0")
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=x")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var got struct {
			Type    string `json:"__type"`
			Message string
		}
		err = json.NewDecoder(resp.Body).Decode(&got)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusBadRequest || !strings.HasSuffix(got.Type, c.code) || (c.msg != "" && got.Message != c.msg) {
			t.Errorf("%s %q: %d %+v (%v); want 400 %s %q", c.op, c.body, resp.StatusCode, got, err, c.code, c.msg)
		}
	}
	if item := e.get(t, "Tbl", key("a", "b\uFFFD")); item != nil {
		t.Errorf("the mis-encoded item was stored as %v", item)
	}
}

// TestNestingAndExpressionLimits: 32 levels of nesting and 4 KB
// expressions are the most DynamoDB takes (Developer Guide, "Quotas in
// Amazon DynamoDB").
func TestNestingAndExpressionLimits(t *testing.T) {
	e := newEnv(t)
	e.table(t, "Tbl")
	nested := func(levels int) types.AttributeValue {
		var v types.AttributeValue = s("leaf")
		for range levels {
			v = &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"m": v}}
		}
		return v
	}
	e.put(t, "Tbl", item("deep", "32", "doc", nested(32)))
	_, err := e.client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("Tbl"), Item: item("deep", "33", "doc", nested(33))})
	wantErr(t, err, "ValidationException", "Nesting Levels have exceeded supported limits")

	cond := "attribute_not_exists(PK)"
	atLimit := cond + strings.Repeat(" ", 4096-len(cond))
	if _, err := e.client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("Tbl"), Item: key("x", "1"), ConditionExpression: aws.String(atLimit)}); err != nil {
		t.Fatalf("a 4096-byte ConditionExpression: %v", err)
	}
	_, err = e.client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("Tbl"), Item: key("x", "2"), ConditionExpression: aws.String(atLimit + " ")})
	wantErr(t, err, "ValidationException", "Invalid ConditionExpression: Expression size has exceeded the maximum allowed size; expression size: 4097")
	_, err = e.client.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("Tbl"), KeyConditionExpression: aws.String("PK = :p"),
		FilterExpression: aws.String(atLimit + " "), ExpressionAttributeValues: map[string]types.AttributeValue{":p": s("x")}})
	wantErr(t, err, "ValidationException", "Invalid FilterExpression: Expression size has exceeded the maximum allowed size; expression size: 4097")
}
