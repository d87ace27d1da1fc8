package dynamodb_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// numTable has a numeric sort key and a GSI on (gpk, gsk).
func numTable(t *testing.T, e *env) {
	t.Helper()
	_, err := e.client.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName: aws.String("Nums"), BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String("PK"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("SK"), AttributeType: types.ScalarAttributeTypeN},
			{AttributeName: aws.String("gpk"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("gsk"), AttributeType: types.ScalarAttributeTypeS},
		},
		KeySchema: []types.KeySchemaElement{{AttributeName: aws.String("PK"), KeyType: types.KeyTypeHash}, {AttributeName: aws.String("SK"), KeyType: types.KeyTypeRange}},
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{IndexName: aws.String("G"),
			KeySchema:  []types.KeySchemaElement{{AttributeName: aws.String("gpk"), KeyType: types.KeyTypeHash}, {AttributeName: aws.String("gsk"), KeyType: types.KeyTypeRange}},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeKeysOnly}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	// Sort keys chosen so numeric and text order differ: 2 < 10 < 100.
	for _, sk := range []string{"100", "2", "10", "-1.5", "33"} {
		it := map[string]types.AttributeValue{"PK": s("a"), "SK": n(sk), "v": s("v" + sk)}
		if sk != "33" {
			it["gpk"], it["gsk"] = s("g"), s("k"+sk)
		}
		e.put(t, "Nums", it)
	}
	e.put(t, "Nums", map[string]types.AttributeValue{"PK": s("b"), "SK": n("1"), "gpk": s("g"), "gsk": s("k0")})
}

func sks(items []map[string]types.AttributeValue, attr string) string {
	var out []string
	for _, it := range items {
		out = append(out, str(it[attr]))
	}
	return strings.Join(out, ",")
}

func TestQueryOrderAndConditions(t *testing.T) {
	e := newEnv(t)
	numTable(t, e)
	cases := []struct {
		cond    string
		values  map[string]types.AttributeValue
		forward bool
		want    string
	}{
		{"PK = :a", map[string]types.AttributeValue{":a": s("a")}, true, "-1.5,2,10,33,100"},
		{"PK = :a", map[string]types.AttributeValue{":a": s("a")}, false, "100,33,10,2,-1.5"},
		{"PK = :a AND SK > :x", map[string]types.AttributeValue{":a": s("a"), ":x": n("2")}, true, "10,33,100"},
		{"PK = :a AND SK <= :x", map[string]types.AttributeValue{":a": s("a"), ":x": n("10")}, true, "-1.5,2,10"},
		{"SK BETWEEN :x AND :y AND PK = :a", map[string]types.AttributeValue{":a": s("a"), ":x": n("2"), ":y": n("33")}, true, "2,10,33"},
	}
	for _, c := range cases {
		out, err := e.client.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("Nums"), KeyConditionExpression: aws.String(c.cond),
			ExpressionAttributeValues: c.values, ScanIndexForward: aws.Bool(c.forward)})
		if err != nil {
			t.Fatalf("%s: %v", c.cond, err)
		}
		if got := sks(out.Items, "SK"); got != c.want {
			t.Errorf("%s forward=%v: %s, want %s", c.cond, c.forward, got, c.want)
		}
	}
	// Filter, COUNT.
	out, err := e.client.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("Nums"), KeyConditionExpression: aws.String("PK = :a"),
		FilterExpression: aws.String("attribute_exists(gpk)"), Select: types.SelectCount, ExpressionAttributeValues: map[string]types.AttributeValue{":a": s("a")}})
	if err != nil || out.Count != 4 || out.ScannedCount != 5 || len(out.Items) != 0 {
		t.Fatalf("COUNT: %+v %v", out, err)
	}
	// Key condition errors.
	_, err = e.client.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("Nums"), KeyConditionExpression: aws.String("SK = :x"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":x": n("1")}})
	wantErr(t, err, "ValidationException", "Query condition missed key schema element: PK")
	_, err = e.client.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("Nums"), KeyConditionExpression: aws.String("PK = :a OR SK = :x"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":a": s("a"), ":x": n("1")}})
	wantErr(t, err, "ValidationException", "Invalid KeyConditionExpression: Invalid operator used in KeyConditionExpression: OR")
}

func TestQueryPagingAndGSI(t *testing.T) {
	e := newEnv(t)
	numTable(t, e)
	var pages []string
	var startKey map[string]types.AttributeValue
	for range 10 {
		out, err := e.client.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("Nums"), KeyConditionExpression: aws.String("PK = :a"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":a": s("a")}, Limit: aws.Int32(2), ExclusiveStartKey: startKey})
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, sks(out.Items, "SK"))
		if startKey = out.LastEvaluatedKey; startKey == nil {
			break
		}
	}
	if got := strings.Join(pages, "|"); got != "-1.5,2|10,33|100" {
		t.Fatalf("pages = %s", got)
	}
	// GSI: index sort key order, KEYS_ONLY projection, paging with index keys.
	pages, startKey = nil, nil
	for range 10 {
		out, err := e.client.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("Nums"), IndexName: aws.String("G"),
			KeyConditionExpression: aws.String("gpk = :g AND begins_with(gsk, :k1)"), Limit: aws.Int32(2), ExclusiveStartKey: startKey,
			ExpressionAttributeValues: map[string]types.AttributeValue{":g": s("g"), ":k1": s("k1")}})
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range out.Items {
			if _, ok := it["v"]; ok {
				t.Fatalf("KEYS_ONLY index returned v: %v", it)
			}
		}
		pages = append(pages, sks(out.Items, "gsk"))
		if startKey = out.LastEvaluatedKey; startKey == nil {
			break
		}
		if len(startKey) != 4 {
			t.Fatalf("index LastEvaluatedKey = %v", startKey)
		}
	}
	if got := strings.Join(pages, "|"); got != "k10,k100|" {
		t.Fatalf("GSI pages = %s", got)
	}
}

func TestScanPagingAndSegments(t *testing.T) {
	e := newEnv(t)
	e.table(t, "Tbl")
	for i := range 30 {
		e.put(t, "Tbl", item(fmt.Sprintf("p%02d", i%7), fmt.Sprintf("s%02d", i), "i", n(fmt.Sprint(i))))
	}
	seen := map[string]bool{}
	var startKey map[string]types.AttributeValue
	pages := 0
	for {
		out, err := e.client.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("Tbl"), Limit: aws.Int32(7), ExclusiveStartKey: startKey,
			FilterExpression: aws.String("i >= :z"), ExpressionAttributeValues: map[string]types.AttributeValue{":z": n("0")}})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, it := range out.Items {
			if seen[str(it["SK"])] {
				t.Fatalf("item %s seen twice", str(it["SK"]))
			}
			seen[str(it["SK"])] = true
		}
		if startKey = out.LastEvaluatedKey; startKey == nil {
			break
		}
	}
	if len(seen) != 30 || pages != 5 {
		t.Fatalf("scan saw %d items in %d pages", len(seen), pages)
	}
	total := 0
	for seg := range 3 {
		out, err := e.client.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("Tbl"), Segment: aws.Int32(int32(seg)), TotalSegments: aws.Int32(3)})
		if err != nil {
			t.Fatal(err)
		}
		total += len(out.Items)
	}
	if total != 30 {
		t.Fatalf("segments hold %d items, want 30", total)
	}
}
