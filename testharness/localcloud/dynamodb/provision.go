package dynamodb

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
	"github.com/tracebridge/tracebridge/testharness/localcloud/cfnresource"
)

// Provisioners returns the CloudFormation resource types DynamoDB owns.
func (s *Service) Provisioners() cfnresource.Registry {
	return cfnresource.Registry{
		"AWS::DynamoDB::Table":       tableProvisioner{s: s},
		"AWS::DynamoDB::GlobalTable": tableProvisioner{s: s, global: true},
	}
}

type tableProvisioner struct {
	s      *Service
	global bool
}

// cfnInt reads a CloudFormation number, which templates may write as a
// string.
type cfnInt int64

func (n *cfnInt) UnmarshalJSON(b []byte) error {
	v, err := strconv.ParseInt(strings.Trim(string(b), `"`), 10, 64)
	*n = cfnInt(v)
	return err
}

// cfnBool reads a CloudFormation boolean, which may be a string.
type cfnBool bool

func (v *cfnBool) UnmarshalJSON(b []byte) error {
	*v = cfnBool(strings.EqualFold(strings.Trim(string(b), `"`), "true"))
	return nil
}

type cfnThroughput struct{ ReadCapacityUnits, WriteCapacityUnits cfnInt }

type cfnIndex struct {
	IndexName             string
	KeySchema             []KeySchemaElement
	Projection            Projection
	ProvisionedThroughput *cfnThroughput
}

// tableProperties are the AWS::DynamoDB::Table (and GlobalTable)
// properties the local cloud reads.
type tableProperties struct {
	TableName               string
	KeySchema               []KeySchemaElement
	AttributeDefinitions    []AttributeDefinition
	BillingMode             string
	ProvisionedThroughput   *cfnThroughput
	GlobalSecondaryIndexes  []cfnIndex
	LocalSecondaryIndexes   []cfnIndex
	StreamSpecification     *struct{ StreamViewType string }
	TimeToLiveSpecification *struct {
		AttributeName string
		Enabled       cfnBool
	}
	PointInTimeRecoverySpecification map[string]any
	SSESpecification                 map[string]any
	DeletionProtectionEnabled        cfnBool
}

func (t *cfnThroughput) value() *ProvisionedThroughput {
	if t == nil {
		return nil
	}
	return &ProvisionedThroughput{ReadCapacityUnits: int64(t.ReadCapacityUnits), WriteCapacityUnits: int64(t.WriteCapacityUnits)}
}

func (ix cfnIndex) value() SecondaryIndex {
	return SecondaryIndex{IndexName: ix.IndexName, KeySchema: ix.KeySchema, Projection: ix.Projection,
		ProvisionedThroughput: ix.ProvisionedThroughput.value()}
}

func (p tableProvisioner) Create(ctx context.Context, req cfnresource.Request) (cfnresource.Resource, error) {
	var props tableProperties
	if err := req.DecodeProperties(&props); err != nil {
		return cfnresource.Resource{}, err
	}
	name := props.TableName
	if name == "" {
		name = req.GeneratedName(255)
	}
	in := &CreateTableInput{TableName: name, KeySchema: props.KeySchema, AttributeDefinitions: props.AttributeDefinitions,
		BillingMode: props.BillingMode, ProvisionedThroughput: props.ProvisionedThroughput.value(),
		SSESpecification: props.SSESpecification, DeletionProtectionEnabled: bool(props.DeletionProtectionEnabled)}
	if p.global && in.BillingMode == "" {
		in.BillingMode = "PROVISIONED"
		if in.ProvisionedThroughput == nil {
			in.BillingMode = "PAY_PER_REQUEST"
		}
	}
	if in.BillingMode == "" && in.ProvisionedThroughput == nil {
		// CloudFormation's default is PROVISIONED, which then requires
		// throughput; a template without either fails there too.
		in.BillingMode = "PROVISIONED"
	}
	for _, g := range props.GlobalSecondaryIndexes {
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, g.value())
	}
	for _, l := range props.LocalSecondaryIndexes {
		in.LocalSecondaryIndexes = append(in.LocalSecondaryIndexes, l.value())
	}
	if ss := props.StreamSpecification; ss != nil && ss.StreamViewType != "" {
		in.StreamSpecification = &StreamSpecification{StreamEnabled: true, StreamViewType: ss.StreamViewType}
	}
	out, err := p.s.CreateTable(ctx, in)
	if err != nil {
		return cfnresource.Resource{}, fmt.Errorf("create table %s: %w", name, err)
	}
	if ttl := props.TimeToLiveSpecification; ttl != nil && bool(ttl.Enabled) {
		_, err := p.s.UpdateTimeToLive(ctx, &UpdateTimeToLiveInput{TableName: name,
			TimeToLiveSpecification: TimeToLiveSpecification{AttributeName: ttl.AttributeName, Enabled: true}})
		if err != nil {
			_, _ = p.s.DeleteTable(ctx, &TableNameInput{TableName: name})
			return cfnresource.Resource{}, fmt.Errorf("enable TTL on table %s: %w", name, err)
		}
	}
	p.s.mu.Lock()
	if t := p.s.tables[name]; t != nil {
		t.pitr = props.PointInTimeRecoverySpecification
	}
	p.s.mu.Unlock()
	attrs := map[string]any{"Arn": out.TableDescription.TableArn}
	if arn := out.TableDescription.LatestStreamArn; arn != "" {
		attrs["StreamArn"] = arn
	}
	return cfnresource.Resource{PhysicalID: name, Ref: name, Attributes: attrs}, nil
}

// Delete deletes the table; a table already gone is no error, as
// CloudFormation's delete tolerates it.
func (p tableProvisioner) Delete(ctx context.Context, req cfnresource.Request, res cfnresource.Resource) error {
	_, err := p.s.DeleteTable(ctx, &TableNameInput{TableName: res.PhysicalID})
	if err != nil && awsproto.AsError(err).Code != "ResourceNotFoundException" {
		return fmt.Errorf("delete table %s: %w", res.PhysicalID, err)
	}
	return nil
}
