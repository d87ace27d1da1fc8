package localcloud_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"net/http"
	"path"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/tracebridge/tracebridge/schemas"
	"github.com/tracebridge/tracebridge/testharness/localcloud"
	"github.com/tracebridge/tracebridge/testharness/localcloud/faults"
)

// The app's reliability under injected faults (issue 12, item 4): each
// test turns faults on, drives a flow through the SDK, waits until the
// cloud has settled and counts outcomes — every one reached, none twice.
//
// The cloud runs on virtual time (RunT's default), so whatever retry a
// fault sets off plays out at once: the functions' SDK retries (3
// attempts per call, aws-sdk-go-v2's standard retryer, sleeping on the
// function's wall clock), the completion publisher's retries, the pipe's
// batch retries (1 s, 2 s, 4 s) and Lambda's asynchronous retries (after
// 1 and 2 minutes).

// settleHorizon is how far ahead the single-fault tests look for the
// cloud's timers: the pipe's backoffs fall inside, Lambda's asynchronous
// retries after it.
const settleHorizon = 20 * time.Second

// awaitSettledWithNothingLeft waits until nothing more can happen in the
// cloud before settleHorizon, and fails when something is still due later
// (an asynchronous retry: the retries under test did not absorb the
// faults).
func (a *app) awaitSettledWithNothingLeft(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*settleHorizon)
	defer cancel()
	if err := a.cloud.WaitSettled(ctx, a.cloud.Now().Add(settleHorizon)); err != nil {
		t.Fatal(err)
	}
	if later := a.cloud.Pending(); len(later) > 0 {
		t.Fatalf("the cloud settled with work due after %s: %v", settleHorizon, later)
	}
}

// completionTally counts the app's completion events by detail type and
// subject (an image's key, a user's PK), as they are put on the bus.
type completionTally struct {
	mu     sync.Mutex
	counts map[string]map[string]int // must hold mu
}

func (a *app) tallyCompletions(t *testing.T) *completionTally {
	t.Helper()
	tally := &completionTally{counts: map[string]map[string]int{}}
	cancel := a.cloud.EventBridge.Subscribe(a.output(t, schemas.OutputEventBusName), func(raw []byte) {
		var e envelope
		var subject struct {
			Key string `json:"key"`
			PK  string `json:"pk"`
		}
		if err := json.Unmarshal(raw, &e); err != nil {
			t.Errorf("event is not JSON: %v: %s", err, raw)
			return
		}
		if err := json.Unmarshal(e.Detail, &subject); err != nil {
			t.Errorf("%s detail: %v: %s", e.DetailType, err, e.Detail)
			return
		}
		tally.mu.Lock()
		defer tally.mu.Unlock()
		if tally.counts[e.DetailType] == nil {
			tally.counts[e.DetailType] = map[string]int{}
		}
		tally.counts[e.DetailType][subject.Key+subject.PK]++
	})
	t.Cleanup(cancel)
	return tally
}

// of returns the events of a detail type counted per subject.
func (c *completionTally) of(detailType string) map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]int{}
	for s, n := range c.counts[detailType] {
		out[s] = n
	}
	return out
}

// expectNoFailures fails the test for any failure event: every fault
// injected here is one that retrying fixes.
func (c *completionTally) expectNoFailures(t *testing.T) {
	t.Helper()
	for _, dt := range []string{schemas.DetailTypeImageMetadataFailed, schemas.DetailTypeUserAuditFailed} {
		if failed := c.of(dt); len(failed) > 0 {
			t.Errorf("%s: %v", dt, failed)
		}
	}
}

// exactlyOnce compares counts per subject with the subjects expected and
// fails the test for any lost (counted 0 times), repeated, or unexpected;
// what names the count in messages.
func exactlyOnce(t *testing.T, what string, counts map[string]int, want []string) (lost, duplicates int) {
	t.Helper()
	for _, s := range want {
		switch n := counts[s]; {
		case n == 0:
			lost++
			t.Errorf("%s of %s: none", what, s)
		case n > 1:
			duplicates += n - 1
			t.Errorf("%s of %s: %d", what, s, n)
		}
	}
	for s := range counts {
		if !slices.Contains(want, s) {
			t.Errorf("%s of %s, which the test did not cause", what, s)
		}
	}
	return lost, duplicates
}

// fired is how often a fault has hit: its Hits while it is in force, its
// Count once spent (the registry removes it then).
func fired(cloud *localcloud.Cloud, f faults.Fault) int {
	for _, g := range cloud.Faults().List() {
		if g.ID == f.ID {
			return g.Hits
		}
	}
	return f.Count
}

// auditEntries counts the audit log's entries per PK.
func (a *app) auditEntries(t *testing.T) map[string]int {
	t.Helper()
	counts := map[string]int{}
	for _, msg := range a.logMessages(t, a.output(t, schemas.OutputAuditLogGroupName), "") {
		var e struct{ PK schemas.StringAttribute }
		if err := json.Unmarshal([]byte(msg), &e); err != nil {
			t.Fatalf("audit entry is not JSON: %v: %s", err, msg)
		}
		counts[e.PK.S]++
	}
	return counts
}

// metadataWrites counts the image function's "dimensions written" log
// lines per key: one per CopyObject that stored dimensions.
func (a *app) metadataWrites(t *testing.T, keys []string) map[string]int {
	t.Helper()
	counts := map[string]int{}
	for _, line := range a.logMessages(t, a.functionLogGroup(t, imageFunctionPackage), `"dimensions written"`) {
		for _, k := range keys {
			if strings.Contains(line, "key="+k+" ") {
				counts[k]++
			}
		}
	}
	return counts
}

func TestImageFlowAbsorbsS3ThrottlingOnReadAndCopy(t *testing.T) {
	a := deployApp(t, appAssemblyDir)
	tally := a.tallyCompletions(t)
	role := a.stackRoleARN(t, path.Base(imageFunctionPackage))
	// Two throttled attempts per call leave the SDK's third to succeed. The
	// upload's GetObject takes the first fault (CopyObject asks
	// s3:GetObject too, but comes after); CopyObject's write the second:
	// the function writes nothing else.
	read := addFault(t, a.cloud, faults.Spec{Service: "s3", Operation: "s3:GetObject", Principal: role, Action: faults.Error, Count: 2})
	write := addFault(t, a.cloud, faults.Spec{Service: "s3", Operation: "s3:PutObject", Principal: role, Action: faults.Error, Count: 2})
	start := time.Now()
	key := "throttled.png"
	a.putPNG(t, key)
	a.awaitSettledWithNothingLeft(t)

	injected := fired(a.cloud, read) + fired(a.cloud, write)
	if injected != 4 {
		t.Errorf("faults fired %d times, want 4 (2 on GetObject, 2 on CopyObject)", injected)
	}
	lost, dups := exactlyOnce(t, "ImageMetadataWritten", tally.of(schemas.DetailTypeImageMetadataWritten), []string{key})
	exactlyOnce(t, "metadata write", a.metadataWrites(t, []string{key}), []string{key})
	tally.expectNoFailures(t)
	bucket := a.output(t, schemas.OutputBucketName)
	head, err := a.s3Client().HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: &bucket, Key: &key})
	if err != nil || head.Metadata[schemas.S3UserMetadataImageWidth] != "8" || head.Metadata[schemas.S3UserMetadataImageHeight] != "8" {
		t.Errorf("HeadObject: %v, metadata %v, want 8x8", err, head.Metadata)
	}
	t.Logf("faults fired %d, outcomes lost %d, duplicates %d, wall %s", injected, lost, dups, time.Since(start).Round(time.Millisecond))
}

func TestImageFlowAnnouncesOnceWhenPutEventsFails(t *testing.T) {
	a := deployApp(t, appAssemblyDir)
	tally := a.tallyCompletions(t)
	role := a.stackRoleARN(t, path.Base(imageFunctionPackage))
	putEvents := faults.Spec{Service: "events", Operation: "events:PutEvents", Principal: role, Action: faults.Error}
	cases := []struct {
		name  string
		code  string
		http  int
		count int
	}{
		{"throttled once: the SDK retries", "ThrottlingException", http.StatusBadRequest, 1},
		{"internal error once: the SDK retries", "InternalException", http.StatusInternalServerError, 1},
		// The SDK gives up after its three attempts; the publisher's
		// own retry puts the event.
		{"throttled past the SDK's attempts: the publisher retries", "ThrottlingException", http.StatusBadRequest, 3},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			spec := putEvents
			spec.ErrorCode, spec.StatusCode, spec.Count = c.code, c.http, c.count
			f := addFault(t, a.cloud, spec)
			start := time.Now()
			key := fmt.Sprintf("announce-%d.png", i)
			a.putPNG(t, key)
			a.awaitSettledWithNothingLeft(t)

			if n := fired(a.cloud, f); n != c.count {
				t.Errorf("fault fired %d times, want %d", n, c.count)
			}
			lost, dups := exactlyOnce(t, "ImageMetadataWritten", onlyKey(tally.of(schemas.DetailTypeImageMetadataWritten), key), []string{key})
			exactlyOnce(t, "metadata write", a.metadataWrites(t, []string{key}), []string{key})
			tally.expectNoFailures(t)
			t.Logf("faults fired %d, outcomes lost %d, duplicates %d, wall %s", c.count, lost, dups, time.Since(start).Round(time.Millisecond))
		})
	}
}

// onlyKey keeps one subject's count, so that a subtest ignores those of
// the subtests before it.
func onlyKey(counts map[string]int, key string) map[string]int {
	return map[string]int{key: counts[key]}
}

// newUsers returns n user PKs under a prefix.
func newUsers(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("USER#%s-%03d", prefix, i)
	}
	return out
}

// putUsers writes the users' profile items in one BatchWriteItem per 25
// (its limit), so that the stream holds them together and the pipe reads
// them in batches.
func (a *app) putUsers(t *testing.T, pks []string) {
	t.Helper()
	table := a.output(t, schemas.OutputTableName)
	for start := 0; start < len(pks); start += 25 {
		var writes []ddbtypes.WriteRequest
		for _, pk := range pks[start:min(start+25, len(pks))] {
			writes = append(writes, ddbtypes.WriteRequest{PutRequest: &ddbtypes.PutRequest{Item: map[string]ddbtypes.AttributeValue{
				schemas.TablePartitionKey:              &ddbtypes.AttributeValueMemberS{Value: pk},
				schemas.TableSortKey:                   &ddbtypes.AttributeValueMemberS{Value: "PROFILE"},
				schemas.DynamoDBCorrelationIDAttribute: &ddbtypes.AttributeValueMemberS{Value: "corr-" + pk},
			}}})
		}
		out, err := dynamodb.NewFromConfig(a.cfg).BatchWriteItem(context.Background(), &dynamodb.BatchWriteItemInput{
			RequestItems: map[string][]ddbtypes.WriteRequest{table: writes}})
		if err != nil || len(out.UnprocessedItems) > 0 {
			t.Fatalf("BatchWriteItem: %v (unprocessed %v)", err, out)
		}
	}
}

// The audit flow's duplicate window: AWS does not promise exactly one
// audit entry per user. The stream and the pipe deliver at least once, a
// partial batch failure is retried from its first failed record (records
// after it are delivered again), and a record whose entry was stored but
// whose UserAuditLogged could not be put is reported failed and audited
// again on the next delivery: one duplicate entry per such delivery, which
// TestAuditDuplicateWindowOpensWhenTheAnnouncementFails measures. A
// PutLogEvents that fails stores nothing, so throttling it opens no
// window: the other tests measure 0 duplicates.

func TestAuditFlowAbsorbsThrottledPutLogEvents(t *testing.T) {
	a := deployApp(t, appAssemblyDir)
	tally := a.tallyCompletions(t)
	role := a.stackRoleARN(t, path.Base(auditFunctionPackage))
	cases := []struct {
		name         string
		count        int
		redeliveries int
	}{
		{"the SDK retries", 2, 0},
		// Three throttled attempts fail the call: the handler reports its
		// records failed and the pipe delivers them again (AUTOMATIC_BISECT
		// splits the batch at once; a single record is retried after 1 s).
		{"past the SDK's attempts: the pipe retries", 3, 1},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := addFault(t, a.cloud, faults.Spec{Service: "logs", Operation: "logs:PutLogEvents", Principal: role,
				Action: faults.Error, Count: c.count})
			start := time.Now()
			users := newUsers(fmt.Sprintf("throttled%d", i), 10)
			a.putUsers(t, users)
			a.awaitSettledWithNothingLeft(t)

			if n := fired(a.cloud, f); n != c.count {
				t.Errorf("fault fired %d times, want %d", n, c.count)
			}
			lost, dups := exactlyOnce(t, "audit entries", onlyKeys(a.auditEntries(t), users), users)
			exactlyOnce(t, "UserAuditLogged", onlyKeys(tally.of(schemas.DetailTypeUserAuditLogged), users), users)
			tally.expectNoFailures(t)
			t.Logf("faults fired %d, outcomes lost %d, duplicates %d, wall %s", c.count, lost, dups, time.Since(start).Round(time.Millisecond))
			if n := a.redeliveriesAsked(t, users[0]); n != c.redeliveries {
				t.Errorf("the function asked the pipe to deliver %d batches again, want %d", n, c.redeliveries)
			}
		})
	}
}

// redeliveriesAsked counts the audit function's log lines saying that a
// failed PutLogEvents leaves a batch holding pk for the pipe to deliver
// again.
func (a *app) redeliveriesAsked(t *testing.T, pk string) int {
	t.Helper()
	n := 0
	for _, line := range a.logMessages(t, a.functionLogGroup(t, auditFunctionPackage), `"PutLogEvents failed"`) {
		if strings.Contains(line, "corr-"+pk) {
			n++
		}
	}
	return n
}

func TestAuditDuplicateWindowOpensWhenTheAnnouncementFails(t *testing.T) {
	a := deployApp(t, appAssemblyDir)
	tally := a.tallyCompletions(t)
	// The publisher's three calls of three SDK attempts each: the entry is
	// stored, its UserAuditLogged is not put, the record is reported
	// failed, and the pipe's next delivery stores the entry again.
	const publisherAttempts, sdkAttempts = 3, 3
	f := addFault(t, a.cloud, faults.Spec{Service: "events", Operation: "events:PutEvents",
		Principal: a.stackRoleARN(t, path.Base(auditFunctionPackage)), Action: faults.Error, Count: publisherAttempts * sdkAttempts})
	start := time.Now()
	users := newUsers("unannounced", 1)
	a.putUsers(t, users)
	a.awaitSettledWithNothingLeft(t)

	if n := fired(a.cloud, f); n != f.Count {
		t.Errorf("fault fired %d times, want %d", n, f.Count)
	}
	lost, _ := exactlyOnce(t, "UserAuditLogged", tally.of(schemas.DetailTypeUserAuditLogged), users)
	tally.expectNoFailures(t)
	entries := a.auditEntries(t)[users[0]]
	if entries != 2 {
		t.Errorf("audit entries of %s: %d, want 2: one per delivery of a record stored but not announced", users[0], entries)
	}
	t.Logf("faults fired %d, outcomes lost %d, duplicate audit entries %d (the window), wall %s",
		f.Count, lost, entries-1, time.Since(start).Round(time.Millisecond))
}

// onlyKeys keeps the counts of some subjects.
func onlyKeys(counts map[string]int, keys []string) map[string]int {
	out := map[string]int{}
	for _, k := range keys {
		if n, ok := counts[k]; ok {
			out[k] = n
		}
	}
	return out
}

func TestPipeRedeliversABatchWhoseTargetFailed(t *testing.T) {
	a := deployApp(t, appAssemblyDir)
	tally := a.tallyCompletions(t)
	fn := a.stack.PhysicalIDs[functionLogicalID(t, auditFunctionPackage)]
	f := addFault(t, a.cloud, faults.Spec{Service: "lambda", Resource: fn, Action: faults.Fail, Count: 1})
	start := time.Now()
	users := newUsers("failed-target", 10)
	a.putUsers(t, users)
	a.awaitSettledWithNothingLeft(t)

	if n := fired(a.cloud, f); n != 1 {
		t.Errorf("fault fired %d times, want 1", n)
	}
	lost, dups := exactlyOnce(t, "audit entries", a.auditEntries(t), users)
	exactlyOnce(t, "UserAuditLogged", tally.of(schemas.DetailTypeUserAuditLogged), users)
	tally.expectNoFailures(t)
	t.Logf("faults fired 1, outcomes lost %d, duplicates %d, wall %s", lost, dups, time.Since(start).Round(time.Millisecond))
}

// concurrentFlows is how many uploads, and how many new users, the
// concurrency test starts at once.
const concurrentFlows = 200

func TestConcurrentFlowsUnderFaultsReachEveryOutcomeOnce(t *testing.T) {
	a := deployAppWith(t, appAssemblyDir, localcloud.Options{FaultRand: rand.NewSource(12)})
	tally := a.tallyCompletions(t)
	// At 10 %, a call throttled on all three of its SDK attempts (p =
	// 0.1³, three matching calls per upload) fails an invocation in about
	// half the runs, and Lambda retries it a minute later: on virtual time,
	// at once.
	s3Fault := addFault(t, a.cloud, faults.Spec{Service: "s3", Operation: "s3:GetObject",
		Principal: a.stackRoleARN(t, path.Base(imageFunctionPackage)), Action: faults.Error, Probability: 0.1})
	logsFault := addFault(t, a.cloud, faults.Spec{Service: "logs", Operation: "logs:PutLogEvents",
		Principal: a.stackRoleARN(t, path.Base(auditFunctionPackage)), Action: faults.Error, Probability: 0.1})
	start := time.Now()

	keys := make([]string, concurrentFlows)
	for i := range keys {
		keys[i] = fmt.Sprintf("concurrent/%03d.png", i)
	}
	users := newUsers("concurrent", concurrentFlows)
	bucket := a.output(t, schemas.OutputBucketName)
	table := a.output(t, schemas.OutputTableName)
	s3Client, ddb := a.s3Client(), dynamodb.NewFromConfig(a.cfg)
	png := pngOf(t, 8, 8)
	errs := make(chan error, 2*concurrentFlows)
	var wg sync.WaitGroup
	for i := range concurrentFlows {
		wg.Add(2)
		go func() {
			defer wg.Done()
			_, err := s3Client.PutObject(context.Background(), &s3.PutObjectInput{Bucket: &bucket, Key: &keys[i],
				Body: bytes.NewReader(png), ContentType: aws.String("image/png")})
			errs <- err
		}()
		go func() {
			defer wg.Done()
			_, err := ddb.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: &table, Item: map[string]ddbtypes.AttributeValue{
				schemas.TablePartitionKey: &ddbtypes.AttributeValueMemberS{Value: users[i]},
				schemas.TableSortKey:      &ddbtypes.AttributeValueMemberS{Value: "PROFILE"},
			}})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	// Every timer counts: an invocation failed by a call throttled on all
	// three of its attempts is retried by Lambda a minute later.
	cloudStart := a.cloud.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := a.cloud.WaitSettled(ctx, time.Time{}); err != nil {
		t.Fatal(err)
	}

	injected := fired(a.cloud, s3Fault) + fired(a.cloud, logsFault)
	// Invocations that failed after the SDK's last attempt, which Lambda
	// retried a minute later.
	asyncRetried := len(a.logMessages(t, a.functionLogGroup(t, imageFunctionPackage), `"exceeded maximum number of attempts"`))
	// The pipe writes a batch of up to 10 users per PutLogEvents, so the
	// Logs fault has few calls to hit; the S3 fault has three per upload.
	if injected == 0 {
		t.Error("no fault fired")
	}
	lostImages, dupImages := exactlyOnce(t, "ImageMetadataWritten", tally.of(schemas.DetailTypeImageMetadataWritten), keys)
	exactlyOnce(t, "metadata write", a.metadataWrites(t, keys), keys)
	lostUsers, dupUsers := exactlyOnce(t, "audit entries", a.auditEntries(t), users)
	exactlyOnce(t, "UserAuditLogged", tally.of(schemas.DetailTypeUserAuditLogged), users)
	tally.expectNoFailures(t)
	t.Logf("%d uploads and %d new users: faults fired %d (S3 %d, Logs %d), outcomes lost %d, duplicates %d, invocations retried by Lambda %d, cloud time %s in wall %s",
		concurrentFlows, concurrentFlows, injected, fired(a.cloud, s3Fault), fired(a.cloud, logsFault),
		lostImages+lostUsers, dupImages+dupUsers, asyncRetried, a.cloud.Now().Sub(cloudStart).Round(time.Second), time.Since(start).Round(time.Millisecond))
}
