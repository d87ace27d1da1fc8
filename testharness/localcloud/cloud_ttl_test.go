package localcloud_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tracebridge/tracebridge/testharness/localcloud"
	"github.com/tracebridge/tracebridge/testharness/localcloud/clock"
	"github.com/tracebridge/tracebridge/testharness/localcloud/internal/awstest"
)

// The local cloud deletes expired items on its own clock, as DynamoDB's
// Time to Live does (AWS within days, locally within a minute).
func TestExpiredItemsAreSweptOnTheCloudsClock(t *testing.T) {
	start := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	clk := clock.NewFake(start)
	cloud := localcloud.RunT(t, localcloud.Options{Clock: clk})
	ctx := context.Background()
	db := dynamodb.NewFromConfig(awstest.Config(t, cloud.Endpoint()))
	_, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String("Sessions"), BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("PK"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("PK"), KeyType: types.KeyTypeHash}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{TableName: aws.String("Sessions"),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String("expiresAt"), Enabled: aws.Bool(true)}}); err != nil {
		t.Fatal(err)
	}
	expiry := strconv.FormatInt(start.Add(30*time.Second).Unix(), 10)
	if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("Sessions"), Item: map[string]types.AttributeValue{
		"PK": &types.AttributeValueMemberS{Value: "s1"}, "expiresAt": &types.AttributeValueMemberN{Value: expiry}}}); err != nil {
		t.Fatal(err)
	}
	waitCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	clk.Advance(time.Minute)
	// The sweeper arms its next timer once this sweep is done.
	if err := clk.WaitForWaiters(waitCtx, 1); err != nil {
		t.Fatal(err)
	}
	out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("Sessions"), Key: map[string]types.AttributeValue{
		"PK": &types.AttributeValueMemberS{Value: "s1"}}})
	if err != nil {
		t.Fatal(err)
	}
	if out.Item != nil {
		t.Fatalf("item expired at %s is still there a minute later: %v", expiry, out.Item)
	}
}
