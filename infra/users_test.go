package main

import (
	"encoding/json"
	"testing"

	"github.com/tracebridge/tracebridge/schemas"
)

func TestTableKeysAndStream(t *testing.T) {
	p := resourceOf(t, synthStack.Users.Table).Properties
	assertJSON(t, "KeySchema", p["KeySchema"], []any{
		map[string]any{"AttributeName": schemas.TablePartitionKey, "KeyType": "HASH"},
		map[string]any{"AttributeName": schemas.TableSortKey, "KeyType": "RANGE"},
	})
	assertJSON(t, "AttributeDefinitions", p["AttributeDefinitions"], []any{
		map[string]any{"AttributeName": schemas.TablePartitionKey, "AttributeType": "S"},
		map[string]any{"AttributeName": schemas.TableSortKey, "AttributeType": "S"},
	})
	assertJSON(t, "StreamSpecification", p["StreamSpecification"], map[string]any{"StreamViewType": "NEW_AND_OLD_IMAGES"})
	assertJSON(t, "BillingMode", p["BillingMode"], "PAY_PER_REQUEST")
	assertJSON(t, "PointInTimeRecoverySpecification", p["PointInTimeRecoverySpecification"],
		map[string]any{"PointInTimeRecoveryEnabled": true})
}

func TestPipeFiltersNewUsersToTheAuditFunction(t *testing.T) {
	u := synthStack.Users
	p := onlyResource(t, "AWS::Pipes::Pipe").Properties
	assertJSON(t, "Source", p["Source"], resolved(t, u.Table.TableStreamArn()))
	assertJSON(t, "Target", p["Target"], resolved(t, u.Function.Function.FunctionArn()))
	assertJSON(t, "RoleArn", p["RoleArn"], resolved(t, u.PipeRole.RoleArn()))
	assertJSON(t, "TargetParameters", p["TargetParameters"],
		map[string]any{"LambdaFunctionParameters": map[string]any{"InvocationType": "REQUEST_RESPONSE"}})

	source := p["SourceParameters"].(map[string]any)
	assertJSON(t, "DynamoDBStreamParameters", source["DynamoDBStreamParameters"], map[string]any{
		"StartingPosition":               "TRIM_HORIZON",
		"BatchSize":                      10,
		"MaximumBatchingWindowInSeconds": 0,
		"MaximumRetryAttempts":           3,
		"OnPartialBatchItemFailure":      "AUTOMATIC_BISECT",
		"DeadLetterConfig":               map[string]any{"Arn": resolved(t, u.DeadLetterQueue.QueueArn())},
	})
	filters := source["FilterCriteria"].(map[string]any)["Filters"].([]any)
	if len(filters) != 1 {
		t.Fatalf("pipe has %d filters, want 1", len(filters))
	}
	// Pipes take the pattern as a JSON string.
	var pattern any
	if err := json.Unmarshal([]byte(filters[0].(map[string]any)["Pattern"].(string)), &pattern); err != nil {
		t.Fatalf("filter pattern is not JSON: %v", err)
	}
	assertJSON(t, "filter pattern", pattern, schemas.UserInsertFilterPattern())
}
