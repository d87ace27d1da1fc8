package authz

import (
	"sort"
	"strings"

	"github.com/tracebridge/tracebridge/testharness/localcloud/arn"
)

func tableARN(name string) string {
	return orARN(name, func(n string) string { return arn.New("dynamodb", "table/"+n) })
}

// tableOrIndex is the table, or the index a Query or Scan reads
// (arn:…:table/T/index/I).
func tableOrIndex(f *fields) []string {
	if f.IndexName != "" {
		return []string{tableARN(f.TableName) + "/index/" + f.IndexName}
	}
	return []string{tableARN(f.TableName)}
}

func table(f *fields) []string { return []string{tableARN(f.TableName)} }

// requestTables are the tables of BatchGetItem and BatchWriteItem, sorted
// so that a denial names the same table every time.
func requestTables(f *fields) []string {
	out := make([]string, 0, len(f.RequestItems))
	for name := range f.RequestItems {
		out = append(out, tableARN(name))
	}
	sort.Strings(out)
	return out
}

// transactTargets asks, per item, the action of its kind on its table,
// as DynamoDB authorizes TransactWriteItems and TransactGetItems.
func transactTargets(f *fields) []target {
	kinds := map[string]string{"Put": "dynamodb:PutItem", "Update": "dynamodb:UpdateItem",
		"Delete": "dynamodb:DeleteItem", "ConditionCheck": "dynamodb:ConditionCheckItem", "Get": "dynamodb:GetItem"}
	var out []target
	for _, item := range f.TransactItems {
		for kind, op := range item {
			if action, ok := kinds[kind]; ok {
				out = append(out, target{action, tableARN(op.TableName)})
			}
		}
	}
	return out
}

// dynamodbService maps DynamoDB (Service Authorization Reference,
// "Actions defined by Amazon DynamoDB"): item and table operations act on
// the table ARN, Query and Scan of an index on the index ARN.
var dynamodbService = jsonService{prefix: "dynamodb", ops: map[string]jsonRule{
	"PutItem":                   {resources: table},
	"GetItem":                   {resources: table},
	"UpdateItem":                {resources: table},
	"DeleteItem":                {resources: table},
	"Query":                     {resources: tableOrIndex},
	"Scan":                      {resources: tableOrIndex},
	"CreateTable":               {resources: table},
	"DeleteTable":               {resources: table},
	"DescribeTable":             {resources: table},
	"UpdateTable":               {resources: table},
	"DescribeTimeToLive":        {resources: table},
	"UpdateTimeToLive":          {resources: table},
	"DescribeContinuousBackups": {resources: table},
	"BatchGetItem":              {action: "dynamodb:BatchGetItem", resources: requestTables},
	"BatchWriteItem":            {action: "dynamodb:BatchWriteItem", resources: requestTables},
	"TransactWriteItems":        {targets: transactTargets},
	"TransactGetItems":          {targets: transactTargets},
	"TagResource":               {resources: one(func(f *fields) string { return f.ResourceArn })},
	"UntagResource":             {resources: one(func(f *fields) string { return f.ResourceArn })},
	"ListTagsOfResource":        {resources: one(func(f *fields) string { return f.ResourceArn })},
}}

// streamOfIterator is the stream a shard iterator reads: the local
// iterators begin with the stream ARN.
func streamOfIterator(f *fields) string {
	s, _, _ := strings.Cut(f.ShardIterator, "|")
	return s
}

// streamsService maps DynamoDB Streams, whose actions are dynamodb:*
// on the stream ARN (arn:…:table/T/stream/LABEL).
var streamsService = jsonService{prefix: "dynamodb", ops: map[string]jsonRule{
	"DescribeStream":   {resources: one(func(f *fields) string { return f.StreamArn })},
	"GetShardIterator": {resources: one(func(f *fields) string { return f.StreamArn })},
	"GetRecords":       {resources: one(streamOfIterator)},
	"ListStreams": {resources: one(func(f *fields) string {
		if f.TableName != "" {
			return tableARN(f.TableName) + "/stream/*"
		}
		return "*"
	})},
}}
