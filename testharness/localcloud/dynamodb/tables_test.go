package dynamodb_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tracebridge/tracebridge/testharness/localcloud/cfnresource"
)

func TestTableLifecycle(t *testing.T) {
	e := newEnv(t)
	for _, name := range []string{"t-c", "t-a", "t-b"} {
		e.table(t, name)
	}
	e.put(t, "t-a", item("x", "y"))
	d, err := e.client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("t-a")})
	if err != nil {
		t.Fatal(err)
	}
	tb := d.Table
	if tb.TableStatus != types.TableStatusActive || aws.ToInt64(tb.ItemCount) != 1 || tb.BillingModeSummary.BillingMode != types.BillingModePayPerRequest ||
		aws.ToString(tb.LatestStreamArn) != "arn:aws:dynamodb:us-east-1:000000000000:table/t-a/stream/2026-11-25T13:00:00.000" ||
		aws.ToString(tb.TableArn) != "arn:aws:dynamodb:us-east-1:000000000000:table/t-a" || len(tb.KeySchema) != 2 {
		t.Fatalf("DescribeTable = %+v", tb)
	}
	var names []string
	var startName *string
	for {
		out, err := e.client.ListTables(ctx, &dynamodb.ListTablesInput{Limit: aws.Int32(2), ExclusiveStartTableName: startName})
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, out.TableNames...)
		if startName = out.LastEvaluatedTableName; startName == nil {
			break
		}
	}
	if strings.Join(names, ",") != "t-a,t-b,t-c" {
		t.Fatalf("ListTables = %v", names)
	}
	_, err = e.client.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String("t-a"), BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("PK"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("PK"), KeyType: types.KeyTypeHash}}})
	wantErr(t, err, "ResourceInUseException", "Table already exists: t-a")
	// Add and remove a GSI, switch billing.
	up, err := e.client.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("t-a"),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("g"), AttributeType: types.ScalarAttributeTypeS}},
		GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{{Create: &types.CreateGlobalSecondaryIndexAction{IndexName: aws.String("byG"),
			KeySchema: []types.KeySchemaElement{{AttributeName: aws.String("g"), KeyType: types.KeyTypeHash}}, Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll}}}}})
	if err != nil || len(up.TableDescription.GlobalSecondaryIndexes) != 1 {
		t.Fatalf("add GSI: %+v, %v", up, err)
	}
	e.put(t, "t-a", item("x", "z", "g", s("G")))
	q, err := e.client.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("t-a"), IndexName: aws.String("byG"), KeyConditionExpression: aws.String("g = :g"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":g": s("G")}})
	if err != nil || len(q.Items) != 1 {
		t.Fatalf("query new GSI: %+v, %v", q, err)
	}
	up, err = e.client.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("t-a"), BillingMode: types.BillingModeProvisioned,
		ProvisionedThroughput:       &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(5), WriteCapacityUnits: aws.Int64(5)},
		GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{{Delete: &types.DeleteGlobalSecondaryIndexAction{IndexName: aws.String("byG")}}}})
	if err != nil || len(up.TableDescription.GlobalSecondaryIndexes) != 0 || up.TableDescription.BillingModeSummary.BillingMode != types.BillingModeProvisioned || len(up.TableDescription.AttributeDefinitions) != 2 {
		t.Fatalf("remove GSI: %+v, %v", up, err)
	}
	if _, err := e.client.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String("t-a")}); err != nil {
		t.Fatal(err)
	}
	_, err = e.client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("t-a")})
	wantErr(t, err, "ResourceNotFoundException", "Requested resource not found: Table: t-a not found")
	_, err = e.client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("t-a"), Item: item("x", "y")})
	wantErr(t, err, "ResourceNotFoundException", "Requested resource not found")
}

// TestBadInputNever500 posts malformed bodies to every operation.
func TestBadInputNever500(t *testing.T) {
	e := newEnv(t)
	e.table(t, "Tbl")
	ops := []string{"CreateTable", "DescribeTable", "ListTables", "DeleteTable", "UpdateTable", "UpdateTimeToLive", "DescribeTimeToLive",
		"PutItem", "GetItem", "DeleteItem", "UpdateItem", "Query", "Scan", "BatchGetItem", "BatchWriteItem", "TransactWriteItems", "TransactGetItems", "Nope"}
	bodies := []string{``, `{`, `[]`, `{"TableName":5}`, `{"TableName":"Tbl"}`, `{"TableName":"Tbl","Item":{"PK":{}}}`,
		`{"TableName":"Tbl","Item":{"PK":{"S":"a","N":"1"},"SK":{"S":"b"}}}`, `{"TableName":"Tbl","Key":{"PK":{"S":"a"},"SK":{"S":"b"}},"UpdateExpression":"SET"}`,
		`{"TableName":"Tbl","KeyConditionExpression":"PK = :a AND AND","ExpressionAttributeValues":{":a":{"S":"x"}}}`,
		`{"TableName":"Tbl","FilterExpression":"((((","Limit":-1}`, `{"RequestItems":{"Tbl":[{}]}}`, `{"TransactItems":[{}]}`,
		`{"TableName":"Tbl","Item":{"PK":{"S":"a"},"SK":{"S":"b"},"n":{"N":"1e999999999999"}}}`,
		`{"TableName":"Tbl","ExclusiveStartKey":{"PK":{"N":"1"}}}`, `{"TableName":"Tbl","Segment":5,"TotalSegments":2}`}
	for _, op := range ops {
		for _, body := range bodies {
			req, _ := http.NewRequest(http.MethodPost, e.url, bytes.NewBufferString(body))
			req.Header.Set("X-Amz-Target", "DynamoDB_20120810."+op)
			req.Header.Set("Content-Type", "application/x-amz-json-1.0")
			req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=x")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode >= 500 {
				t.Errorf("%s %s: status %d", op, body, resp.StatusCode)
			}
		}
	}
}

func TestProvisioner(t *testing.T) {
	e := newEnv(t)
	p := e.svc.Provisioners()["AWS::DynamoDB::Table"]
	req := cfnresource.Request{StackName: "App", LogicalID: "Table", Type: "AWS::DynamoDB::Table", Properties: map[string]any{
		"KeySchema":                        []any{map[string]any{"AttributeName": "PK", "KeyType": "HASH"}, map[string]any{"AttributeName": "SK", "KeyType": "RANGE"}},
		"AttributeDefinitions":             []any{map[string]any{"AttributeName": "PK", "AttributeType": "S"}, map[string]any{"AttributeName": "SK", "AttributeType": "S"}},
		"ProvisionedThroughput":            map[string]any{"ReadCapacityUnits": "5", "WriteCapacityUnits": 5},
		"StreamSpecification":              map[string]any{"StreamViewType": "NEW_AND_OLD_IMAGES"},
		"TimeToLiveSpecification":          map[string]any{"AttributeName": "ttl", "Enabled": "true"},
		"PointInTimeRecoverySpecification": map[string]any{"PointInTimeRecoveryEnabled": true},
	}}
	res, err := p.Create(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	name := res.RefValue()
	if !strings.HasPrefix(name, "App-Table-") || len(name) != len("App-Table-")+12 {
		t.Fatalf("generated name %q", name)
	}
	if res.Attributes["StreamArn"] != "arn:aws:dynamodb:us-east-1:000000000000:table/"+name+"/stream/2026-11-25T13:00:00.000" ||
		res.Attributes["Arn"] != "arn:aws:dynamodb:us-east-1:000000000000:table/"+name {
		t.Fatalf("attributes = %v", res.Attributes)
	}
	ttl, err := e.client.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(name)})
	if err != nil || ttl.TimeToLiveDescription.TimeToLiveStatus != types.TimeToLiveStatusEnabled {
		t.Fatalf("TTL = %+v, %v", ttl, err)
	}
	if err := p.Delete(context.Background(), req, res); err != nil {
		t.Fatal(err)
	}
	if err := p.Delete(context.Background(), req, res); err != nil {
		t.Fatalf("second delete: %v", err)
	}
	if len(e.svc.Tables()) != 0 {
		t.Fatalf("tables left: %v", e.svc.Tables())
	}
}
