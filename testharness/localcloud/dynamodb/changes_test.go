package dynamodb_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func TestChangesInWriteOrder(t *testing.T) {
	e := newEnv(t)
	e.table(t, "Tbl")
	e.put(t, "Tbl", item("USER#1", "PROFILE", "msg", s("New item!")))
	e.put(t, "Tbl", item("USER#1", "PROFILE", "msg", s("New item!"))) // identical: no record
	_, err := e.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("Tbl"), Key: key("USER#1", "PROFILE"),
		UpdateExpression: aws.String("SET msg = :m"), ExpressionAttributeValues: map[string]types.AttributeValue{":m": s("This item has changed")}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("Tbl"), Key: key("USER#1", "PROFILE"),
		UpdateExpression: aws.String("SET msg = :m"), ExpressionAttributeValues: map[string]types.AttributeValue{":m": s("This item has changed")}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.client.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String("Tbl"), Key: key("USER#1", "PROFILE")})
	if err != nil {
		t.Fatal(err)
	}
	_, _ = e.client.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String("Tbl"), Key: key("USER#1", "PROFILE")}) // nothing to delete
	got := e.sink.take()
	if len(got) != 3 {
		t.Fatalf("%d changes, want 3: %+v", len(got), got)
	}
	want := []struct{ event, old, new string }{
		{"INSERT", "", `{"PK":{"S":"USER#1"},"SK":{"S":"PROFILE"},"msg":{"S":"New item!"}}`},
		{"MODIFY", `{"PK":{"S":"USER#1"},"SK":{"S":"PROFILE"},"msg":{"S":"New item!"}}`, `{"PK":{"S":"USER#1"},"SK":{"S":"PROFILE"},"msg":{"S":"This item has changed"}}`},
		{"REMOVE", `{"PK":{"S":"USER#1"},"SK":{"S":"PROFILE"},"msg":{"S":"This item has changed"}}`, ""},
	}
	for i, w := range want {
		c := got[i]
		if c.EventName != w.event || string(c.OldImage) != w.old || string(c.NewImage) != w.new {
			t.Errorf("change %d = %s old=%s new=%s, want %+v", i, c.EventName, c.OldImage, c.NewImage, w)
		}
		if string(c.Keys) != `{"PK":{"S":"USER#1"},"SK":{"S":"PROFILE"}}` || c.TableName != "Tbl" || c.StreamViewType != "NEW_AND_OLD_IMAGES" ||
			c.StreamARN != "arn:aws:dynamodb:us-east-1:000000000000:table/Tbl/stream/2026-11-25T13:00:00.000" || !c.ApproximateCreationDateTime.Equal(start) {
			t.Errorf("change %d envelope = %+v", i, c)
		}
	}
}

// TestChangeSizeBytes checks SizeBytes against the documented records
// (testdata/dynamodb-stream-record.json: 26, 59 and 38 bytes).
func TestChangeSizeBytes(t *testing.T) {
	raw := readTestdata(t, "dynamodb-stream-record.json")
	var doc struct {
		Event struct {
			Records []struct {
				Dynamodb struct{ SizeBytes int }
			}
		} `json:"event"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	e := newEnv(t)
	_, err := e.client.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String("Bark"), BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("Id"), AttributeType: types.ScalarAttributeTypeN}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("Id"), KeyType: types.KeyTypeHash}},
		StreamSpecification:  &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: types.StreamViewTypeNewAndOldImages}})
	if err != nil {
		t.Fatal(err)
	}
	e.put(t, "Bark", map[string]types.AttributeValue{"Id": n("101"), "Message": s("New item!")})
	e.put(t, "Bark", map[string]types.AttributeValue{"Id": n("101"), "Message": s("This item has changed")})
	if _, err := e.client.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String("Bark"), Key: map[string]types.AttributeValue{"Id": n("101")}}); err != nil {
		t.Fatal(err)
	}
	got := e.sink.take()
	for i, r := range doc.Event.Records {
		if got[i].SizeBytes != r.Dynamodb.SizeBytes {
			t.Errorf("record %d SizeBytes = %d, want %d", i, got[i].SizeBytes, r.Dynamodb.SizeBytes)
		}
	}
}

func TestStreamViewTypesAndToggle(t *testing.T) {
	e := newEnv(t)
	e.table(t, "Tbl")
	if _, err := e.client.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("Tbl"), StreamSpecification: &types.StreamSpecification{StreamEnabled: aws.Bool(false)}}); err != nil {
		t.Fatal(err)
	}
	e.put(t, "Tbl", item("a", "b"))
	if got := e.sink.take(); len(got) != 0 {
		t.Fatalf("changes without a stream: %+v", got)
	}
	e.clock.Advance(time.Hour)
	out, err := e.client.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("Tbl"), StreamSpecification: &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: types.StreamViewTypeKeysOnly}})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.TableDescription.LatestStreamLabel) != "2026-11-25T14:00:00.000" {
		t.Fatalf("new stream label = %s", aws.ToString(out.TableDescription.LatestStreamLabel))
	}
	e.put(t, "Tbl", item("a", "b", "x", s("1")))
	got := e.sink.take()
	if len(got) != 1 || got[0].EventName != "MODIFY" || got[0].OldImage != nil || got[0].NewImage != nil || got[0].StreamViewType != "KEYS_ONLY" {
		t.Fatalf("KEYS_ONLY change = %+v", got)
	}
}

func TestTTLSweep(t *testing.T) {
	e := newEnv(t)
	e.table(t, "Tbl")
	if _, err := e.client.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{TableName: aws.String("Tbl"),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String("exp"), Enabled: aws.Bool(true)}}); err != nil {
		t.Fatal(err)
	}
	d, err := e.client.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String("Tbl")})
	if err != nil || d.TimeToLiveDescription.TimeToLiveStatus != types.TimeToLiveStatusEnabled || aws.ToString(d.TimeToLiveDescription.AttributeName) != "exp" {
		t.Fatalf("DescribeTimeToLive = %+v, %v", d, err)
	}
	soon := start.Add(time.Minute).Unix()
	e.put(t, "Tbl", item("a", "soon", "exp", n(json.Number(itoa(soon)).String())))
	e.put(t, "Tbl", item("a", "later", "exp", n(itoa(start.Add(time.Hour).Unix()))))
	e.put(t, "Tbl", item("a", "ancient", "exp", n("1000")))
	e.put(t, "Tbl", item("a", "text", "exp", s("not a number")))
	e.sink.take()

	sweepCtx, cancel := contextWithCancel()
	defer cancel()
	e.svc.StartTTLSweeper(sweepCtx, 30*time.Second)
	waitFor(t, func() bool { return e.clock.Waiters() == 1 })
	e.clock.Advance(30 * time.Second) // not yet expired
	waitFor(t, func() bool { return e.clock.Waiters() == 1 })
	e.clock.Advance(2 * time.Minute)
	waitFor(t, func() bool { return e.get(t, "Tbl", key("a", "soon")) == nil })
	for _, sk := range []string{"later", "ancient", "text"} {
		if e.get(t, "Tbl", key("a", sk)) == nil {
			t.Errorf("item %s was deleted", sk)
		}
	}
	got := e.sink.take()
	if len(got) != 1 || got[0].EventName != "REMOVE" || got[0].UserIdentity == nil ||
		got[0].UserIdentity.Type != "Service" || got[0].UserIdentity.PrincipalID != "dynamodb.amazonaws.com" {
		t.Fatalf("TTL change = %+v", got)
	}
}

func TestTransactions(t *testing.T) {
	e := newEnv(t)
	e.table(t, "Tbl")
	e.put(t, "Tbl", item("a", "1", "v", n("1")))
	e.put(t, "Tbl", item("a", "3", "v", n("1")))
	e.sink.take()
	_, err := e.client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String("Tbl"), Item: item("a", "2")}},
		{Update: &types.Update{TableName: aws.String("Tbl"), Key: key("a", "1"), UpdateExpression: aws.String("SET v = :v"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":v": n("2")}}},
		{ConditionCheck: &types.ConditionCheck{TableName: aws.String("Tbl"), Key: key("a", "3"), ConditionExpression: aws.String("v = :nine"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":nine": n("9")}, ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld}},
	}})
	var tce *types.TransactionCanceledException
	if !errors.As(err, &tce) {
		t.Fatalf("want TransactionCanceledException, got %v", err)
	}
	if tce.ErrorMessage() != "Transaction cancelled, please refer cancellation reasons for specific reasons [None, None, ConditionalCheckFailed]" {
		t.Fatalf("message = %q", tce.ErrorMessage())
	}
	if len(tce.CancellationReasons) != 3 || aws.ToString(tce.CancellationReasons[2].Code) != "ConditionalCheckFailed" || str(tce.CancellationReasons[2].Item["v"]) != "1" {
		t.Fatalf("reasons = %+v", tce.CancellationReasons)
	}
	if e.get(t, "Tbl", key("a", "2")) != nil || str(e.get(t, "Tbl", key("a", "1"))["v"]) != "1" || len(e.sink.take()) != 0 {
		t.Fatal("cancelled transaction left changes behind")
	}
	_, err = e.client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String("Tbl"), Item: item("a", "2")}},
		{Delete: &types.Delete{TableName: aws.String("Tbl"), Key: key("a", "1"), ConditionExpression: aws.String("v = :one"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":one": n("1")}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if got := e.sink.take(); len(got) != 2 || got[0].EventName != "INSERT" || got[1].EventName != "REMOVE" {
		t.Fatalf("transaction changes = %+v", got)
	}
	tg, err := e.client.TransactGetItems(ctx, &dynamodb.TransactGetItemsInput{TransactItems: []types.TransactGetItem{
		{Get: &types.Get{TableName: aws.String("Tbl"), Key: key("a", "1")}}, {Get: &types.Get{TableName: aws.String("Tbl"), Key: key("a", "2")}}}})
	if err != nil || len(tg.Responses) != 2 || tg.Responses[0].Item != nil || str(tg.Responses[1].Item["SK"]) != "2" {
		t.Fatalf("TransactGetItems = %+v, %v", tg, err)
	}
	_, err = e.client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String("Tbl"), Item: item("a", "2")}}, {Delete: &types.Delete{TableName: aws.String("Tbl"), Key: key("a", "2")}}}})
	wantErr(t, err, "ValidationException", "Transaction request cannot include multiple operations on one item")
}

func TestBatches(t *testing.T) {
	e := newEnv(t)
	e.table(t, "Tbl")
	var reqs []types.WriteRequest
	for i := range 25 {
		reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: item("a", itoa(int64(i)))}})
	}
	out, err := e.client.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{"Tbl": reqs}})
	if err != nil || len(out.UnprocessedItems) != 0 {
		t.Fatalf("BatchWriteItem = %+v, %v", out, err)
	}
	if got := e.sink.take(); len(got) != 25 {
		t.Fatalf("%d changes for 25 puts", len(got))
	}
	_, err = e.client.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{"Tbl": append(reqs, reqs[0])}})
	wantErr(t, err, "ValidationException", "Too many items requested for the BatchWriteItem call")
	got, err := e.client.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
		"Tbl": {Keys: []map[string]types.AttributeValue{key("a", "3"), key("a", "nope"), key("a", "24")}, ProjectionExpression: aws.String("SK")}}})
	if err != nil || len(got.Responses["Tbl"]) != 2 || len(got.UnprocessedKeys) != 0 || len(got.Responses["Tbl"][0]) != 1 {
		t.Fatalf("BatchGetItem = %+v, %v", got, err)
	}
}

func TestStreamWatcherHearsStreamsStartAndEnd(t *testing.T) {
	e := newEnv(t)
	e.table(t, "Tbl")
	first := "arn:aws:dynamodb:us-east-1:000000000000:table/Tbl/stream/2026-11-25T13:00:00.000"
	if got := e.sink.takeStreams(); len(got) != 1 || got[0] != "+"+first {
		t.Fatalf("after CreateTable with a stream: %v, want [+%s]", got, first)
	}
	if _, err := e.client.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("Tbl"),
		StreamSpecification: &types.StreamSpecification{StreamEnabled: aws.Bool(false)}}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Hour)
	if _, err := e.client.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("Tbl"),
		StreamSpecification: &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: types.StreamViewTypeNewImage}}); err != nil {
		t.Fatal(err)
	}
	// A failed update announces nothing.
	if _, err := e.client.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("Tbl"),
		StreamSpecification: &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: types.StreamViewTypeNewImage}}); err == nil {
		t.Fatal("enabling an enabled stream succeeded")
	}
	if _, err := e.client.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String("Tbl")}); err != nil {
		t.Fatal(err)
	}
	second := "arn:aws:dynamodb:us-east-1:000000000000:table/Tbl/stream/2026-11-25T14:00:00.000"
	want := []string{"-" + first, "+" + second, "-" + second}
	got := e.sink.takeStreams()
	if len(got) != len(want) {
		t.Fatalf("stream announcements = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("stream announcements = %v, want %v", got, want)
		}
	}
}
