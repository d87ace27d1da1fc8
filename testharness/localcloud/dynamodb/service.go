package dynamodb

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"sync"
	"unicode/utf8"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
	"github.com/tracebridge/tracebridge/testharness/localcloud/clock"
	"github.com/tracebridge/tracebridge/testharness/localcloud/dynamodb/attr"
	"github.com/tracebridge/tracebridge/testharness/localcloud/gateway"
	"github.com/tracebridge/tracebridge/testharness/localcloud/sigv4"
)

// Options configure a Service.
type Options struct {
	// Clock stamps tables, stream labels and changes, and decides TTL
	// expiry; clock.Real{} when nil.
	Clock clock.Clock
	// Changes receives a Change for every write to a table with a stream
	// enabled; none are sent when nil.
	Changes ChangeSink
}

// Service is the local DynamoDB.
type Service struct {
	clock clock.Clock
	sink  ChangeSink

	mu      sync.Mutex
	tables  map[string]*table // guarded by mu
	pending []pendingChange   // guarded by mu: changes not yet delivered, in write order

	deliver sync.Mutex // held while changes are handed to the sink, keeps them in order
}

// New returns a DynamoDB service with no tables.
func New(o Options) *Service {
	s := &Service{clock: o.Clock, sink: o.Changes, tables: map[string]*table{}}
	if s.clock == nil {
		s.clock = clock.Real{}
	}
	return s
}

// TargetPrefix is the X-Amz-Target prefix of DynamoDB's operations.
const TargetPrefix = "DynamoDB_20120810"

// Route is DynamoDB's gateway route. DynamoDB Streams signs with the same
// name but its own target prefix, which the gateway matches first.
func (s *Service) Route() gateway.Route {
	return gateway.Route{Service: "dynamodb", SigningNames: []string{"dynamodb"},
		TargetPrefixes: []string{TargetPrefix}, Auth: sigv4.JSON, Handler: withCRC32(s.handler())}
}

// handler lists every operation the local DynamoDB answers.
func (s *Service) handler() *awsproto.JSONService {
	return &awsproto.JSONService{
		TargetPrefix: TargetPrefix,
		ContentType:  "application/x-amz-json-1.0",
		Operations: map[string]awsproto.JSONOperation{
			"CreateTable":        op(s.CreateTable),
			"DescribeTable":      op(s.DescribeTable),
			"ListTables":         op(s.ListTables),
			"DeleteTable":        op(s.DeleteTable),
			"UpdateTable":        op(s.UpdateTable),
			"UpdateTimeToLive":   op(s.UpdateTimeToLive),
			"DescribeTimeToLive": op(s.DescribeTimeToLive),
			"PutItem":            op(s.PutItem),
			"GetItem":            op(s.GetItem),
			"DeleteItem":         op(s.DeleteItem),
			"UpdateItem":         op(s.UpdateItem),
			"Query":              op(s.Query),
			"Scan":               op(s.Scan),
			"BatchGetItem":       op(s.BatchGetItem),
			"BatchWriteItem":     op(s.BatchWriteItem),
			"TransactWriteItems": op(s.TransactWriteItems),
			"TransactGetItems":   op(s.TransactGetItems),
		},
	}
}

// op adapts a typed operation. Attribute values are validated while the
// body decodes; what DynamoDB rejects there (bad numbers, empty sets) is a
// ValidationException, anything else that does not decode a
// SerializationException.
//
// A body that is not UTF-8 is a SerializationException (as DynamoDB
// answers mis-encoded bodies), and an operation whose input has a
// TableName needs one: a missing TableName, or an empty body, is
// DynamoDB's ValidationException for a null member.
func op[In, Out any](fn func(ctx context.Context, in *In) (*Out, error)) awsproto.JSONOperation {
	tableName, named := reflect.TypeFor[In]().FieldByName("TableName")
	return func(ctx context.Context, body []byte) (any, error) {
		if !utf8.Valid(body) {
			return nil, awsproto.SerializationError("The request body is not valid UTF-8")
		}
		in := new(In)
		if len(bytes.TrimSpace(body)) > 0 {
			if err := json.Unmarshal(body, in); err != nil {
				var ae *attr.Error
				if errors.As(err, &ae) {
					return nil, awsproto.ValidationError("%s", ae.Msg)
				}
				var te *json.UnmarshalTypeError
				if errors.As(err, &te) {
					return nil, awsproto.SerializationError("Unexpected value for field %s: expected %s", te.Field, te.Type)
				}
				return nil, awsproto.SerializationError("Start of structure or map found where not expected: %v", err)
			}
		}
		if named && reflect.ValueOf(in).Elem().FieldByIndex(tableName.Index).String() == "" {
			return nil, awsproto.ValidationError("1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null")
		}
		out, err := fn(ctx, in)
		if err != nil {
			return nil, toAPIError(err)
		}
		return out, nil
	}
}

// table returns the table name, or ResourceNotFoundException with the
// message item operations use. Must hold s.mu.
func (s *Service) itemTable(name string) (*table, error) {
	t := s.tables[name]
	if t == nil {
		return nil, errItemTableNotFound
	}
	return t, nil
}
