package dynamodb

import (
	"github.com/tracebridge/tracebridge/testharness/localcloud/dynamodb/attr"
)

// The request and response shapes of DynamoDB's API (API Reference,
// "Data Types"), named and spelled as on the wire. The same structs are
// the Go API: the HTTP handlers and in-process callers share them.

type AttributeDefinition struct {
	AttributeName string
	AttributeType string
}

type KeySchemaElement struct {
	AttributeName string
	KeyType       string // HASH or RANGE
}

type Projection struct {
	ProjectionType   string   `json:",omitempty"`
	NonKeyAttributes []string `json:",omitempty"`
}

type ProvisionedThroughput struct {
	ReadCapacityUnits  int64
	WriteCapacityUnits int64
}

type ProvisionedThroughputDescription struct {
	ReadCapacityUnits      int64
	WriteCapacityUnits     int64
	NumberOfDecreasesToday int64
}

type StreamSpecification struct {
	StreamEnabled  bool
	StreamViewType string `json:",omitempty"`
}

type SecondaryIndex struct {
	IndexName             string
	KeySchema             []KeySchemaElement
	Projection            Projection
	ProvisionedThroughput *ProvisionedThroughput `json:",omitempty"`
}

type BillingModeSummary struct {
	BillingMode string
}

type IndexDescription struct {
	IndexName             string
	KeySchema             []KeySchemaElement
	Projection            Projection
	IndexStatus           string                            `json:",omitempty"`
	ProvisionedThroughput *ProvisionedThroughputDescription `json:",omitempty"`
	IndexSizeBytes        int64
	ItemCount             int64
	IndexArn              string
}

type TableDescription struct {
	TableName                 string
	TableArn                  string
	TableId                   string
	TableStatus               string
	CreationDateTime          float64
	AttributeDefinitions      []AttributeDefinition
	KeySchema                 []KeySchemaElement
	ItemCount                 int64
	TableSizeBytes            int64
	ProvisionedThroughput     ProvisionedThroughputDescription
	BillingModeSummary        *BillingModeSummary  `json:",omitempty"`
	GlobalSecondaryIndexes    []IndexDescription   `json:",omitempty"`
	LocalSecondaryIndexes     []IndexDescription   `json:",omitempty"`
	StreamSpecification       *StreamSpecification `json:",omitempty"`
	LatestStreamArn           string               `json:",omitempty"`
	LatestStreamLabel         string               `json:",omitempty"`
	SSEDescription            map[string]any       `json:",omitempty"`
	DeletionProtectionEnabled bool
}

type CreateTableInput struct {
	TableName                 string
	AttributeDefinitions      []AttributeDefinition
	KeySchema                 []KeySchemaElement
	BillingMode               string
	ProvisionedThroughput     *ProvisionedThroughput
	GlobalSecondaryIndexes    []SecondaryIndex
	LocalSecondaryIndexes     []SecondaryIndex
	StreamSpecification       *StreamSpecification
	SSESpecification          map[string]any
	DeletionProtectionEnabled bool
	Tags                      []map[string]string
}

type TableOutput struct {
	TableDescription *TableDescription
}

type TableNameInput struct {
	TableName string
}

type DescribeTableOutput struct {
	Table *TableDescription
}

type ListTablesInput struct {
	ExclusiveStartTableName string
	Limit                   int
}

type ListTablesOutput struct {
	TableNames             []string
	LastEvaluatedTableName string `json:",omitempty"`
}

type GSIUpdate struct {
	Create *SecondaryIndex             `json:",omitempty"`
	Delete *struct{ IndexName string } `json:",omitempty"`
	Update *struct {
		IndexName             string
		ProvisionedThroughput *ProvisionedThroughput
	} `json:",omitempty"`
}

type UpdateTableInput struct {
	TableName                   string
	AttributeDefinitions        []AttributeDefinition
	BillingMode                 string
	ProvisionedThroughput       *ProvisionedThroughput
	StreamSpecification         *StreamSpecification
	GlobalSecondaryIndexUpdates []GSIUpdate
	SSESpecification            map[string]any
	DeletionProtectionEnabled   *bool
}

type TimeToLiveSpecification struct {
	AttributeName string
	Enabled       bool
}

type UpdateTimeToLiveInput struct {
	TableName               string
	TimeToLiveSpecification TimeToLiveSpecification
}

type UpdateTimeToLiveOutput struct {
	TimeToLiveSpecification TimeToLiveSpecification
}

type DescribeTimeToLiveOutput struct {
	TimeToLiveDescription struct {
		TimeToLiveStatus string
		AttributeName    string `json:",omitempty"`
	}
}

// ConsumedCapacity is the estimate answered for ReturnConsumedCapacity
// TOTAL or INDEXES: a write unit per started KB written, a read unit per
// started 4 KB read (half for eventually consistent reads).
type ConsumedCapacity struct {
	TableName          string
	CapacityUnits      float64
	ReadCapacityUnits  float64 `json:",omitempty"`
	WriteCapacityUnits float64 `json:",omitempty"`
}

// Legacy are the pre-expression parameters; only AttributesToGet is
// supported, the others are refused with a ValidationException.
type Legacy struct {
	Expected            map[string]any `json:",omitempty"`
	ConditionalOperator string         `json:",omitempty"`
	AttributeUpdates    map[string]any `json:",omitempty"`
	KeyConditions       map[string]any `json:",omitempty"`
	QueryFilter         map[string]any `json:",omitempty"`
	ScanFilter          map[string]any `json:",omitempty"`
	AttributesToGet     []string       `json:",omitempty"`
}

type PutItemInput struct {
	TableName                           string
	Item                                attr.Item
	ConditionExpression                 string
	ReturnValues                        string
	ReturnValuesOnConditionCheckFailure string
	ReturnConsumedCapacity              string
	ReturnItemCollectionMetrics         string
	ExpressionAttributeNames            map[string]string
	ExpressionAttributeValues           map[string]attr.Value
	Legacy
}

type ItemOutput struct {
	Attributes       attr.Item         `json:",omitempty"`
	ConsumedCapacity *ConsumedCapacity `json:",omitempty"`
}

type GetItemInput struct {
	TableName                 string
	Key                       attr.Item
	ConsistentRead            bool
	ProjectionExpression      string
	ReturnConsumedCapacity    string
	ExpressionAttributeNames  map[string]string
	ExpressionAttributeValues map[string]attr.Value
	Legacy
}

type GetItemOutput struct {
	Item             attr.Item         `json:",omitempty"`
	ConsumedCapacity *ConsumedCapacity `json:",omitempty"`
}

type DeleteItemInput struct {
	TableName                           string
	Key                                 attr.Item
	ConditionExpression                 string
	ReturnValues                        string
	ReturnValuesOnConditionCheckFailure string
	ReturnConsumedCapacity              string
	ReturnItemCollectionMetrics         string
	ExpressionAttributeNames            map[string]string
	ExpressionAttributeValues           map[string]attr.Value
	Legacy
}

type UpdateItemInput struct {
	TableName                           string
	Key                                 attr.Item
	UpdateExpression                    string
	ConditionExpression                 string
	ReturnValues                        string
	ReturnValuesOnConditionCheckFailure string
	ReturnConsumedCapacity              string
	ReturnItemCollectionMetrics         string
	ExpressionAttributeNames            map[string]string
	ExpressionAttributeValues           map[string]attr.Value
	Legacy
}

type QueryInput struct {
	TableName                 string
	IndexName                 string
	KeyConditionExpression    string
	FilterExpression          string
	ProjectionExpression      string
	Select                    string
	ScanIndexForward          *bool
	Limit                     *int
	ExclusiveStartKey         attr.Item
	ConsistentRead            bool
	ReturnConsumedCapacity    string
	ExpressionAttributeNames  map[string]string
	ExpressionAttributeValues map[string]attr.Value
	Legacy
}

type ScanInput struct {
	TableName                 string
	IndexName                 string
	FilterExpression          string
	ProjectionExpression      string
	Select                    string
	Limit                     *int
	ExclusiveStartKey         attr.Item
	Segment                   *int
	TotalSegments             *int
	ConsistentRead            bool
	ReturnConsumedCapacity    string
	ExpressionAttributeNames  map[string]string
	ExpressionAttributeValues map[string]attr.Value
	Legacy
}

type ReadOutput struct {
	Items            []attr.Item `json:",omitempty"`
	Count            int
	ScannedCount     int
	LastEvaluatedKey attr.Item         `json:",omitempty"`
	ConsumedCapacity *ConsumedCapacity `json:",omitempty"`
}

type KeysAndAttributes struct {
	Keys                      []attr.Item
	ProjectionExpression      string
	ConsistentRead            bool
	AttributesToGet           []string `json:",omitempty"`
	ExpressionAttributeNames  map[string]string
	ExpressionAttributeValues map[string]attr.Value
}

type BatchGetItemInput struct {
	RequestItems           map[string]KeysAndAttributes
	ReturnConsumedCapacity string
}

type BatchGetItemOutput struct {
	Responses        map[string][]attr.Item
	UnprocessedKeys  map[string]KeysAndAttributes
	ConsumedCapacity []ConsumedCapacity `json:",omitempty"`
}

type WriteRequest struct {
	PutRequest    *struct{ Item attr.Item } `json:",omitempty"`
	DeleteRequest *struct{ Key attr.Item }  `json:",omitempty"`
}

type BatchWriteItemInput struct {
	RequestItems                map[string][]WriteRequest
	ReturnConsumedCapacity      string
	ReturnItemCollectionMetrics string
}

type BatchWriteItemOutput struct {
	UnprocessedItems map[string][]WriteRequest
	ConsumedCapacity []ConsumedCapacity `json:",omitempty"`
}

type TransactConditionCheck struct {
	TableName                           string
	Key                                 attr.Item
	ConditionExpression                 string
	ReturnValuesOnConditionCheckFailure string
	ExpressionAttributeNames            map[string]string
	ExpressionAttributeValues           map[string]attr.Value
}

type TransactPut struct {
	TableName                           string
	Item                                attr.Item
	ConditionExpression                 string
	ReturnValuesOnConditionCheckFailure string
	ExpressionAttributeNames            map[string]string
	ExpressionAttributeValues           map[string]attr.Value
}

type TransactDelete struct {
	TableName                           string
	Key                                 attr.Item
	ConditionExpression                 string
	ReturnValuesOnConditionCheckFailure string
	ExpressionAttributeNames            map[string]string
	ExpressionAttributeValues           map[string]attr.Value
}

type TransactUpdate struct {
	TableName                           string
	Key                                 attr.Item
	UpdateExpression                    string
	ConditionExpression                 string
	ReturnValuesOnConditionCheckFailure string
	ExpressionAttributeNames            map[string]string
	ExpressionAttributeValues           map[string]attr.Value
}

type TransactWriteItem struct {
	ConditionCheck *TransactConditionCheck `json:",omitempty"`
	Put            *TransactPut            `json:",omitempty"`
	Delete         *TransactDelete         `json:",omitempty"`
	Update         *TransactUpdate         `json:",omitempty"`
}

type TransactWriteItemsInput struct {
	TransactItems               []TransactWriteItem
	ClientRequestToken          string
	ReturnConsumedCapacity      string
	ReturnItemCollectionMetrics string
}

type TransactWriteItemsOutput struct {
	ConsumedCapacity []ConsumedCapacity `json:",omitempty"`
}

type TransactGetItemsInput struct {
	TransactItems []struct {
		Get struct {
			TableName                 string
			Key                       attr.Item
			ProjectionExpression      string
			ExpressionAttributeNames  map[string]string
			ExpressionAttributeValues map[string]attr.Value
		}
	}
	ReturnConsumedCapacity string
}

type ItemResponse struct {
	Item attr.Item `json:",omitempty"`
}

type TransactGetItemsOutput struct {
	Responses        []ItemResponse
	ConsumedCapacity []ConsumedCapacity `json:",omitempty"`
}

// CancellationReason is one entry of a TransactionCanceledException.
type CancellationReason struct {
	Code    string
	Message string    `json:",omitempty"`
	Item    attr.Item `json:",omitempty"`
}
