package localcloud_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tracebridge/tracebridge/testharness/localcloud"
	"github.com/tracebridge/tracebridge/testharness/localcloud/arn"
	"github.com/tracebridge/tracebridge/testharness/localcloud/identity"
	"github.com/tracebridge/tracebridge/testharness/localcloud/internal/awstest"
)

// BenchmarkSignedDynamoDBRequestCPU measures the server's CPU per request
// for PutItem+GetItem pairs sent as bare signed HTTP requests on one
// keep-alive connection, with IAM on: the gateway, SigV4 verification,
// policy evaluation and DynamoDB. The requests are signed once, so the
// client's share of the process CPU is writing bytes and reading the
// answer; cpu-µs/req is the process's user+system CPU over the requests.
func BenchmarkSignedDynamoDBRequestCPU(b *testing.B) {
	cloud := localcloud.RunT(b, localcloud.Options{})
	ctx := context.Background()
	_, err := dynamodb.NewFromConfig(awstest.Config(b, cloud.Endpoint())).CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:   aws.String("bench"),
		BillingMode: ddbtypes.BillingModePayPerRequest,
		KeySchema: []ddbtypes.KeySchemaElement{{AttributeName: aws.String("PK"), KeyType: ddbtypes.KeyTypeHash},
			{AttributeName: aws.String("SK"), KeyType: ddbtypes.KeyTypeRange}},
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("PK"), AttributeType: ddbtypes.ScalarAttributeTypeS},
			{AttributeName: aws.String("SK"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
	})
	if err != nil {
		b.Fatal(err)
	}
	host := strings.TrimPrefix(cloud.Endpoint(), "http://")
	put := signedRaw(b, host, "PutItem", `{"TableName":"bench","Item":{"PK":{"S":"USER#ada"},"SK":{"S":"PROFILE"},"name":{"S":"Ada"}}}`)
	get := signedRaw(b, host, "GetItem", `{"TableName":"bench","Key":{"PK":{"S":"USER#ada"},"SK":{"S":"PROFILE"}}}`)
	conn, err := net.Dial("tcp", host)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	br := bufio.NewReader(conn)
	roundTrip := func(req []byte) {
		if _, err := conn.Write(req); err != nil {
			b.Fatal(err)
		}
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d: %s", resp.StatusCode, body)
		}
	}
	roundTrip(put) // warm caches
	roundTrip(get)
	before := cpuTime(b)
	b.ResetTimer()
	for b.Loop() {
		roundTrip(put)
		roundTrip(get)
	}
	b.StopTimer()
	b.ReportMetric(float64((cpuTime(b)-before).Microseconds())/float64(2*b.N), "cpu-µs/req")
}

// signedRaw returns the wire bytes of a DynamoDB request signed now with
// the default credentials.
func signedRaw(b *testing.B, host, op, body string) []byte {
	b.Helper()
	r, err := http.NewRequest(http.MethodPost, "http://"+host+"/", strings.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	r.Header.Set("Content-Type", "application/x-amz-json-1.0")
	r.Header.Set("X-Amz-Target", "DynamoDB_20120810."+op)
	sum := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: identity.DefaultAccessKeyID, SecretAccessKey: identity.DefaultSecretAccessKey}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, hex.EncodeToString(sum[:]), "dynamodb", arn.Region, time.Now()); err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	if err := r.Write(&buf); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime(b *testing.B) time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		b.Fatal(err)
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}
