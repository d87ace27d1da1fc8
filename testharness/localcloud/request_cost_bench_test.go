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
	"net/http/httptest"
	"os"
	"strconv"
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
// BenchmarkLoopbackHTTPFloorCPU measures the same client against a handler
// that does nothing: the difference is the cloud's own work.
//
// With BENCH_DYNAMODB_ENDPOINT and BENCH_DYNAMODB_PID set, the same
// requests go to another DynamoDB-compatible server (dynalite, the local
// cloud in its own process) instead, and server-cpu-µs/req is that
// process's CPU per request alone.
func BenchmarkSignedDynamoDBRequestCPU(b *testing.B) {
	endpoint, pid := os.Getenv("BENCH_DYNAMODB_ENDPOINT"), os.Getenv("BENCH_DYNAMODB_PID")
	if endpoint == "" {
		endpoint = localcloud.RunT(b, localcloud.Options{}).Endpoint()
	}
	_, err := dynamodb.NewFromConfig(awstest.Config(b, endpoint)).CreateTable(context.Background(), &dynamodb.CreateTableInput{
		TableName:   aws.String("bench"),
		BillingMode: ddbtypes.BillingModePayPerRequest,
		KeySchema: []ddbtypes.KeySchemaElement{{AttributeName: aws.String("PK"), KeyType: ddbtypes.KeyTypeHash},
			{AttributeName: aws.String("SK"), KeyType: ddbtypes.KeyTypeRange}},
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("PK"), AttributeType: ddbtypes.ScalarAttributeTypeS},
			{AttributeName: aws.String("SK"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
	})
	if err != nil && !strings.Contains(err.Error(), "ResourceInUseException") {
		b.Fatal(err)
	}
	if pid == "" {
		roundTripCPU(b, strings.TrimPrefix(endpoint, "http://"), cpuTime)
		return
	}
	roundTripCPU(b, strings.TrimPrefix(endpoint, "http://"), func(b *testing.B) time.Duration { return processCPUTime(b, pid) })
}

// BenchmarkLoopbackHTTPFloorCPU is BenchmarkSignedDynamoDBRequestCPU's
// client against a net/http server whose handler reads the body and
// answers a fixed GetItem-sized reply: the CPU of the connection, the HTTP
// parsing on both sides and the client, which no server can avoid.
func BenchmarkLoopbackHTTPFloorCPU(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.Header().Set("X-Amzn-Requestid", "00000000-0000-0000-0000-000000000000")
		w.Header().Set("X-Amz-Crc32", "0")
		_, _ = io.WriteString(w, `{"Item":{"PK":{"S":"USER#ada"},"SK":{"S":"PROFILE"},"name":{"S":"Ada"}}}`)
	}))
	defer srv.Close()
	roundTripCPU(b, strings.TrimPrefix(srv.URL, "http://"), cpuTime)
}

// roundTripCPU sends signed PutItem and GetItem requests in turn on one
// connection to host and reports the CPU that cpu counts per request.
func roundTripCPU(b *testing.B, host string, cpu func(*testing.B) time.Duration) {
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
	before := cpu(b)
	b.ResetTimer()
	for b.Loop() {
		roundTrip(put)
		roundTrip(get)
	}
	b.StopTimer()
	unit := "cpu-µs/req"
	if os.Getenv("BENCH_DYNAMODB_PID") != "" {
		unit = "server-cpu-µs/req"
	}
	b.ReportMetric(float64((cpu(b)-before).Microseconds())/float64(2*b.N), unit)
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

// processCPUTime is another process's user and system CPU time so far,
// from /proc/PID/stat (fields 14 and 15, in clock ticks of 1/100 s).
func processCPUTime(b *testing.B, pid string) time.Duration {
	stat, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		b.Fatal(err)
	}
	// The command name (field 2) is parenthesized and may hold spaces.
	fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err1 != nil || err2 != nil {
		b.Fatalf("/proc/%s/stat: %q", pid, stat)
	}
	return time.Duration(utime+stime) * 10 * time.Millisecond
}
