package dynamodb_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/tracebridge/tracebridge/testharness/localcloud/clock"
	localddb "github.com/tracebridge/tracebridge/testharness/localcloud/dynamodb"
	"github.com/tracebridge/tracebridge/testharness/localcloud/gateway"
	"github.com/tracebridge/tracebridge/testharness/localcloud/identity"
	"github.com/tracebridge/tracebridge/testharness/localcloud/internal/awstest"

	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
)

// sink is the ChangeSink of the tests: it keeps what DynamoDB sent.
type sink struct {
	mu      sync.Mutex
	changes []localddb.Change
	streams []string // "+ARN" when enabled, "-ARN" when disabled
}

func (s *sink) StreamEnabled(_ context.Context, d localddb.TableDescription) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.streams = append(s.streams, "+"+d.LatestStreamArn)
}

func (s *sink) StreamDisabled(_ context.Context, streamARN string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.streams = append(s.streams, "-"+streamARN)
}

func (s *sink) takeStreams() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.streams
	s.streams = nil
	return out
}

func (s *sink) TableChanged(_ context.Context, c localddb.Change) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.changes = append(s.changes, c)
}

func (s *sink) take() []localddb.Change {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.changes
	s.changes = nil
	return out
}

var start = time.Date(2026, 11, 25, 13, 0, 0, 0, time.UTC)

type env struct {
	svc    *localddb.Service
	client *dynamodb.Client
	sink   *sink
	clock  *clock.Fake
	url    string
}

func newEnv(t testing.TB) *env {
	t.Helper()
	e := &env{sink: &sink{}, clock: clock.NewFake(start)}
	e.svc = localddb.New(localddb.Options{Clock: e.clock, Changes: e.sink})
	g := gateway.New(identity.NewStore())
	g.Register(e.svc.Route())
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	e.url = srv.URL
	e.client = dynamodb.NewFromConfig(awstest.Config(t, srv.URL))
	return e
}

var ctx = context.Background()

// table creates a PK/SK string-keyed table with a NEW_AND_OLD_IMAGES
// stream, the reference application's schema.
func (e *env) table(t testing.TB, name string) {
	t.Helper()
	_, err := e.client.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("PK"), AttributeType: types.ScalarAttributeTypeS}, {AttributeName: aws.String("SK"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("PK"), KeyType: types.KeyTypeHash}, {AttributeName: aws.String("SK"), KeyType: types.KeyTypeRange}},
		StreamSpecification:  &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: types.StreamViewTypeNewAndOldImages},
	})
	if err != nil {
		t.Fatalf("CreateTable %s: %v", name, err)
	}
}

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
func n(v string) types.AttributeValue { return &types.AttributeValueMemberN{Value: v} }

func key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"PK": s(pk), "SK": s(sk)}
}

func item(pk, sk string, more ...any) map[string]types.AttributeValue {
	it := key(pk, sk)
	for i := 0; i+1 < len(more); i += 2 {
		it[more[i].(string)] = more[i+1].(types.AttributeValue)
	}
	return it
}

func (e *env) put(t testing.TB, table string, it map[string]types.AttributeValue) {
	t.Helper()
	if _, err := e.client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: it}); err != nil {
		t.Fatalf("PutItem: %v", err)
	}
}

func (e *env) get(t testing.TB, table string, k map[string]types.AttributeValue) map[string]types.AttributeValue {
	t.Helper()
	out, err := e.client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: k})
	if err != nil {
		t.Fatalf("GetItem: %v", err)
	}
	return out.Item
}

// wantErr asserts err is the AWS error code with the message.
func wantErr(t *testing.T, err error, code, message string) {
	t.Helper()
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("want %s %q, got %v", code, message, err)
	}
	if apiErr.ErrorCode() != code || (message != "" && apiErr.ErrorMessage() != message) {
		t.Fatalf("want %s %q, got %s %q", code, message, apiErr.ErrorCode(), apiErr.ErrorMessage())
	}
}

func str(v types.AttributeValue) string {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return v.Value
	case *types.AttributeValueMemberN:
		return v.Value
	}
	return "?"
}

func itoa(i int64) string { return strconv.FormatInt(i, 10) }

func contextWithCancel() (context.Context, context.CancelFunc) {
	return context.WithCancel(context.Background())
}

// waitFor waits until cond holds, failing after a deadline; it yields
// between checks instead of sleeping a fixed time.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached before the deadline")
		}
		runtime.Gosched()
	}
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
