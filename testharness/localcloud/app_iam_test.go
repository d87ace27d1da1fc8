package localcloud_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"

	"github.com/tracebridge/tracebridge/schemas"
	"github.com/tracebridge/tracebridge/testharness"
	"github.com/tracebridge/tracebridge/testharness/internal/assemblyedit"
	"github.com/tracebridge/tracebridge/testharness/internal/iamgrant"
	"github.com/tracebridge/tracebridge/testharness/localcloud"
	"github.com/tracebridge/tracebridge/testharness/localcloud/cloudformation"
	"github.com/tracebridge/tracebridge/testharness/localcloud/identity"
	"github.com/tracebridge/tracebridge/testharness/localcloud/internal/awstest"
	"github.com/tracebridge/tracebridge/testharness/localcloud/logs"
	"github.com/tracebridge/tracebridge/testharness/localcloud/stepfunctions"
	"github.com/tracebridge/tracebridge/testharness/suite"
)

// The app's template grants each role exactly what its flow needs. These
// tests take every statement of every role policy in the synthesized
// template (and every action of it), deploy a copy without it, and run the
// flow that needs it: the flow must fail with AccessDenied, as on AWS.
//
// The template's own deploy-time check (Custom::TestRun, which runs the
// integration suite while the stack deploys) is the flow of the harness's
// roles; for the app's roles it is taken out of the copy, so that the
// test drives the flow itself and observes the failure precisely.

// iamFlows show what a statement is for, by owner/Sid: each deploys the
// app without one action of it and asserts the failure. Every statement
// of the template must have one, or be in notObservable; "*/WriteOwnLogs"
// applies to every function.
var iamFlows = map[string]func(t *testing.T, g iamgrant.Grant){
	"imagemetadata/ReadAndRewriteObjects": appFlow(imageFunctionLogsDenial),
	"imagemetadata/PutCompletionEvents":   appFlow(imageFunctionLogsDenial),
	"auditlog/WriteAuditEntries":          appFlow(auditFunctionLogsDenial),
	"auditlog/PutCompletionEvents":        appFlow(auditFunctionLogsDenial),
	"pipe/ReadTableStream":                pipeCannotBeCreated,
	"pipe/InvokeAuditFunction":            appFlow(pipeDeadLettersUninvokedBatch),
	"pipe/SendToDeadLetterQueue":          pipeCannotDeadLetter,
	"*/WriteOwnLogs":                      functionLosesItsLogs,
	// The harness's roles: the deploy-time run fails.
	"teststarter/StartTests":                    deployTimeRunFails,
	"teststarter/ReadTestRunHistory":            hungTestsGoUnnamed,
	"teststarter/RecogniseRollbacks":            rollbackRecognisedByRunIDs,
	"testrunner/UploadInspectAndRemoveFixtures": deployTimeRunFails,
	"testrunner/WriteReadAndRemoveItems":        deployTimeRunFails,
	"testrunner/ReadAuditEntries":               deployTimeRunFails,
	"testrunner/ReadTraces":                     deployTimeRunFails,
	"testrunner/PutCompletionEvents":            deployTimeRunFails,
	"testawait/PairTokensWithEvents":            deployTimeRunFails,
	"testawait/CompleteWaitingTasks":            deployTimeRunFails,
	"statemachine/InvokeHarnessFunctions":       stateMachineTaskDenied,
}

// appFlow runs a flow on the app deployed without the grant and without
// the deploy-time run.
func appFlow(flow func(t *testing.T, a *app, g iamgrant.Grant)) func(t *testing.T, g iamgrant.Grant) {
	return func(t *testing.T, g iamgrant.Grant) { flow(t, deployApp(t, withoutGrant(t, g, true)), g) }
}

// notObservable are statements whose absence the local cloud cannot show,
// with the reason (SUPPORT.md lists them).
var notObservable = map[string]string{
	"*/SendTraces":             "functions send segments over the X-Ray daemon's UDP protocol, which carries no identity",
	"statemachine/SendTraces":  "Step Functions records its trace segments itself",
	"statemachine/DeliverLogs": "the local Step Functions writes no execution logs",
}

func TestEveryRoleStatementIsNeeded(t *testing.T) {
	tmpl := assemblyedit.Read(t, assemblyDir)
	grants := iamgrant.List(t, tmpl)
	if len(grants) == 0 {
		t.Fatal("the template grants its roles nothing")
	}
	seen := map[string]bool{}
	for _, g := range grants {
		key, wildcard := g.Owner+"/"+g.Sid, "*/"+g.Sid
		if _, ok := notObservable[key]; ok {
			seen[key] = true
			continue
		}
		if _, ok := notObservable[wildcard]; ok && g.Owner != "pipe" && g.Owner != "statemachine" {
			seen[wildcard] = true
			continue
		}
		flow, ok := iamFlows[key]
		if !ok && g.Owner != "pipe" && g.Owner != "statemachine" {
			flow, ok = iamFlows[wildcard]
		}
		if !ok {
			t.Errorf("no flow shows what statement %s of role %s is for: add one to iamFlows", g.Sid, g.RoleID)
			continue
		}
		t.Run(g.String(), func(t *testing.T) {
			t.Parallel()
			flow(t, g)
		})
	}
	for key := range notObservable {
		if !seen[key] {
			t.Errorf("notObservable lists %s, which the template no longer grants", key)
		}
	}
}

// withoutGrant copies the app's assembly without g's action (and without
// its statement once no action is left), and without the deploy-time run
// when the test drives the flow itself.
func withoutGrant(t *testing.T, g iamgrant.Grant, withoutDeployTimeRun bool) string {
	t.Helper()
	return assemblyedit.Copy(t, assemblyDir, func(tmpl assemblyedit.Template) {
		iamgrant.Remove(t, tmpl, g)
		if withoutDeployTimeRun {
			removeDeployTimeRun(t, tmpl)
		}
	})
}

// removeDeployTimeRun takes the Custom::TestRun resource out of a template.
func removeDeployTimeRun(t *testing.T, tmpl assemblyedit.Template) {
	t.Helper()
	for id := range tmpl.ResourcesOfType(t, testharness.TestRunResourceType) {
		delete(tmpl.Resources(), id)
	}
}

// denialOf is the start of AWS's AccessDenied message for a role's
// session acting without g.
func denialOf(g iamgrant.Grant) string {
	return "is not authorized to perform: " + g.Action + " on resource: "
}

// imageFunctionLogsDenial uploads an image: the metadata function fails
// with AccessDenied and says so in its log; nothing is written. Denied an
// S3 action, it also announces the failure at once, as ImageMetadataFailed
// with S3's code and message (denied PutEvents, it cannot).
func imageFunctionLogsDenial(t *testing.T, a *app, g iamgrant.Grant) {
	completions := a.awaitEvents(t, a.output(t, schemas.OutputEventBusName))
	key := "denied/" + g.Action + ".png"
	a.putPNG(t, key)
	group := a.functionLogGroup(t, imageFunctionPackage)
	msgs := a.awaitLogMessages(t, group, `"`+denialOf(g)+`"`)
	if !strings.Contains(msgs[0], "assumed-role/") {
		t.Errorf("denial does not name the function's role session: %s", msgs[0])
	}
	if strings.HasPrefix(g.Action, "s3:") {
		e := nextEvent(t, completions, "ImageMetadataFailed for "+key, func(e envelope) bool {
			if e.DetailType == schemas.DetailTypeImageMetadataWritten {
				t.Errorf("ImageMetadataWritten arrived without %s: %s", g.Action, e.Detail)
			}
			return e.DetailType == schemas.DetailTypeImageMetadataFailed
		})
		var failed schemas.ImageMetadataFailed
		if err := json.Unmarshal(e.Detail, &failed); err != nil {
			t.Fatal(err)
		}
		if failed.Key != key || failed.ErrorCode != "AccessDenied" || !strings.Contains(failed.ErrorMessage, denialOf(g)) ||
			failed.Reason != g.Action+" denied: "+failed.ErrorMessage {
			t.Errorf("ImageMetadataFailed = %+v, want S3's denial of %s on %s", failed, g.Action, key)
		}
	}
	select {
	case e := <-completions:
		if strings.Contains(string(e), schemas.DetailTypeImageMetadataWritten) {
			t.Errorf("ImageMetadataWritten arrived without %s: %s", g.Action, e)
		}
	default:
	}
}

// auditFunctionLogsDenial inserts a user: the audit function is denied
// writing the audit entry or announcing it, and says so in its log. Denied
// writing the entry, it also announces the failure at once, as
// UserAuditFailed with CloudWatch Logs' code and message.
func auditFunctionLogsDenial(t *testing.T, a *app, g iamgrant.Grant) {
	completions := a.awaitEvents(t, a.output(t, schemas.OutputEventBusName))
	a.putItem(t, "USER#denied", "PROFILE", "corr-denied", nil)
	group := a.functionLogGroup(t, auditFunctionPackage)
	a.awaitLogMessages(t, group, `"`+denialOf(g)+`"`)
	if !strings.HasPrefix(g.Action, "logs:") {
		return
	}
	e := nextEvent(t, completions, "UserAuditFailed for corr-denied", func(e envelope) bool {
		if e.DetailType == schemas.DetailTypeUserAuditLogged {
			t.Errorf("UserAuditLogged arrived without %s: %s", g.Action, e.Detail)
		}
		return e.DetailType == schemas.DetailTypeUserAuditFailed
	})
	var failed schemas.UserAuditFailed
	if err := json.Unmarshal(e.Detail, &failed); err != nil {
		t.Fatal(err)
	}
	if failed.CorrelationID != "corr-denied" || failed.PK != "USER#denied" || failed.ErrorCode != "AccessDeniedException" ||
		!strings.Contains(failed.ErrorMessage, denialOf(g)) || failed.Reason != g.Action+" denied: "+failed.ErrorMessage {
		t.Errorf("UserAuditFailed = %+v, want CloudWatch Logs' denial of %s", failed, g.Action)
	}
}

// functionLosesItsLogs: the deploy-time run invokes every function of
// the app; each still does its work, but Lambda, writing a function's
// output with the function's role, stores none of the function's.
func functionLosesItsLogs(t *testing.T, g iamgrant.Grant) {
	var reports syncBuffer
	a := deployAppWith(t, withoutGrant(t, g, false), localcloud.Options{Logger: slog.New(slog.NewTextHandler(&reports, nil))})
	a.awaitAsyncIdle(t)
	group := a.functionLogGroup(t, g.Owner)
	if msgs := a.logMessages(t, group, ""); len(msgs) != 0 {
		t.Fatalf("the log group of %s holds %d events, want none: %q", g.Owner, len(msgs), msgs)
	}
	// The cloud's logger hears of it, once per group however often the
	// function ran.
	if n := strings.Count(reports.String(), `msg="Lambda cannot write a function's logs" group=`+group+" "); n != 1 {
		t.Errorf("the logger was told %d times that %s cannot be written, want once:\n%s", n, group, reports.String())
	}
}

// syncBuffer is a buffer a logger may write from many goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// passingRunDoesNotNeed are grants the deploy-time run, when every test
// passes, does not use: the deployment succeeds without them. Each is
// needed on a path the passing run does not take (a failing test, a
// repeated event); should the run start needing one, this table fails.
var passingRunDoesNotNeed = map[string]bool{
	"testrunner/dynamodb:GetItem":      true,
	"testrunner/events:PutEvents":      true,
	"testawait/dynamodb:GetItem":       true,
	"testawait/states:SendTaskFailure": true,
}

// deployTimeRunFails: without a grant of the harness's roles, the
// deploy-time run fails and so does the deployment; the denial shows in
// the failure's reason or in the log of the function that was denied
// (log groups are given known names in the copy, so that the test can
// listen to them before they exist). A HEAD request's denial carries no
// message, as on AWS: its 403 is the evidence.
func deployTimeRunFails(t *testing.T, g iamgrant.Grant) {
	cloud := localcloud.RunT(t, localcloud.Options{SourceRoot: moduleRoot})
	denied := make(chan string, 1)
	dir := assemblyedit.Copy(t, assemblyDir, func(tmpl assemblyedit.Template) {
		iamgrant.Remove(t, tmpl, g)
		for id, group := range tmpl.ResourcesOfType(t, "AWS::Logs::LogGroup") {
			name := "/iam-test/" + id
			group["Properties"].(map[string]any)["LogGroupName"] = name
			cancel := cloud.Logs.Subscribe(name, func(e logs.Event) {
				if strings.Contains(e.Message, denialOf(g)) {
					select {
					case denied <- e.Message:
					default:
					}
				}
			})
			t.Cleanup(cancel)
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	_, err := cloud.Deploy(ctx, dir)
	if passingRunDoesNotNeed[g.Owner+"/"+g.Action] {
		if err != nil {
			t.Fatalf("the passing deploy-time run now needs %s (move it from passingRunDoesNotNeed): %v", g.Action, err)
		}
		return
	}
	var deployErr *cloudformation.DeployError
	if !errors.As(err, &deployErr) {
		t.Fatalf("deploy without %s: err = %v, want a failed deployment", g.Action, err)
	}
	select {
	case <-denied:
		return
	default:
	}
	if !strings.Contains(err.Error(), denialOf(g)) && !strings.Contains(err.Error(), "StatusCode: 403") {
		t.Fatalf("deployment failed without showing the denial of %s: %v", g.Action, err)
	}
}

// hungTestsGoUnnamed: the starter may not read the history of a run that
// timed out, so the deployment still fails at the run timeout, but its
// reason says the history could not be read, with AWS's denial, instead
// of naming the unfinished tests.
func hungTestsGoUnnamed(t *testing.T, g iamgrant.Grant) {
	reason := failHungTests(t, func(tmpl assemblyedit.Template) { iamgrant.Remove(t, tmpl, g) })
	if !strings.Contains(reason, "Which tests had not finished is unknown: GetExecutionHistory") ||
		!strings.Contains(reason, "AccessDeniedException") || !strings.Contains(reason, denialOf(g)) {
		t.Errorf("the test run's failure = %q, want that the history could not be read, with the denial of %s", reason, g.Action)
	}
	for _, test := range suite.Tests() {
		if strings.Contains(reason, test.Name) {
			t.Errorf("the failure names test %s without the run's history: %q", test.Name, reason)
		}
	}
}

// rollbackRecognisedByRunIDs: the starter may not read its stack's
// status; its log shows AWS's denial, and it still recognises the
// rollback's Update, by the RunIds, so the rollback completes.
func rollbackRecognisedByRunIDs(t *testing.T, g iamgrant.Grant) {
	a, skipped := rollBackBrokenUpdate(t, func(tmpl assemblyedit.Template) { iamgrant.Remove(t, tmpl, g) })
	if !strings.Contains(skipped, "is older than the RunId") {
		t.Errorf("the starter did not recognise the rollback by its RunIds: %q", skipped)
	}
	denials := a.logMessages(t, a.functionLogGroup(t, starterFunctionPackage), `"could not read the stack's status"`)
	if len(denials) == 0 {
		t.Fatal("the starter's log has no warning that it could not read the stack's status")
	}
	for _, msg := range denials {
		if !strings.Contains(msg, "AccessDenied") || !strings.Contains(msg, denialOf(g)) {
			t.Errorf("the starter's warning does not show AWS's denial of %s: %s", g.Action, msg)
		}
	}
}

// stateMachineTaskDenied: the state machine's role may not invoke the
// harness's functions: its first task fails with the denial (the
// definition then retries Lambda.AWSLambdaException for minutes, as on
// AWS, so the test reads the execution's history rather than its end).
func stateMachineTaskDenied(t *testing.T, g iamgrant.Grant) {
	a := deployApp(t, withoutGrant(t, g, true))
	var machine string
	for id := range assemblyedit.Read(t, assemblyDir).ResourcesOfType(t, "AWS::StepFunctions::StateMachine") {
		machine = a.stack.PhysicalIDs[id]
	}
	out, err := a.cloud.StepFunctions.StartExecution(context.Background(), &stepfunctions.StartExecutionInput{
		StateMachineArn: machine, Input: "{}"})
	if err != nil {
		t.Fatal(err)
	}
	awaitCondition(t, "a task failed with the denial", func() (string, bool) {
		history, err := a.cloud.StepFunctions.History(out.ExecutionArn)
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range history {
			if d := ev.TaskFailedEventDetails; d != nil && strings.Contains(aws.ToString(d.Cause), denialOf(g)) {
				return aws.ToString(d.Cause), true
			}
		}
		return "", false
	})
}

// pipeDeadLettersUninvokedBatch: the pipe may not invoke its target, so
// after its retries the batch goes to the dead-letter queue and the
// function never runs.
func pipeDeadLettersUninvokedBatch(t *testing.T, a *app, _ iamgrant.Grant) {
	a.putItem(t, "USER#uninvoked", "PROFILE", "corr-uninvoked", nil)
	msg := a.receiveOne(t, a.pipeDeadLetterQueueURL(t))
	if !strings.Contains(msg, `"RetryAttemptsExhausted"`) {
		t.Errorf("dead letter: %s", msg)
	}
	if starts := a.logMessages(t, a.functionLogGroup(t, auditFunctionPackage), `"START RequestId:"`); len(starts) != 0 {
		t.Fatalf("the audit function ran %d times though the pipe may not invoke it", len(starts))
	}
}

// pipeCannotDeadLetter: the queue is only written when a batch is
// discarded, so the flow also takes the pipe's permission to invoke its
// target; after its retries the pipe is denied sending the batch to its
// dead-letter queue, says so in its state reason, and the queue stays empty.
func pipeCannotDeadLetter(t *testing.T, g iamgrant.Grant) {
	invoke := iamgrant.Grant{Owner: g.Owner, RoleID: g.RoleID, Sid: "InvokeAuditFunction", Action: "lambda:InvokeFunction"}
	dir := assemblyedit.Copy(t, assemblyDir, func(tmpl assemblyedit.Template) {
		iamgrant.Remove(t, tmpl, g)
		iamgrant.Remove(t, tmpl, invoke)
		removeDeployTimeRun(t, tmpl)
	})
	a := deployApp(t, dir)
	a.putItem(t, "USER#undeliverable", "PROFILE", "corr-undeliverable", nil)
	name := a.stack.PhysicalIDs[pipeLogicalID(t)]
	reason := awaitCondition(t, "the pipe's state reason", func() (string, bool) {
		d, err := a.cloud.Pipes.DescribePipe(name)
		if err != nil {
			t.Fatal(err)
		}
		return d.StateReason, d.StateReason != ""
	})
	if !strings.Contains(reason, denialOf(g)) {
		t.Fatalf("state reason = %q, want the denial of %s", reason, g.Action)
	}
	out, err := sqs.NewFromConfig(a.cfg).ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{
		QueueUrl: aws.String(a.pipeDeadLetterQueueURL(t))})
	if err != nil || len(out.Messages) != 0 {
		t.Fatalf("dead-letter queue: %d messages (%v), want none", len(out.Messages), err)
	}
}

func pipeLogicalID(t *testing.T) string {
	t.Helper()
	for id := range assemblyedit.Read(t, assemblyDir).ResourcesOfType(t, "AWS::Pipes::Pipe") {
		return id
	}
	t.Fatal("the template has no pipe")
	return ""
}

// awaitCondition re-checks cond until it holds, for state the local cloud
// offers no notification of (a pipe's state reason), within 30s.
func awaitCondition[T any](t *testing.T, what string, cond func() (T, bool)) T {
	t.Helper()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(30 * time.Second)
	for {
		if v, ok := cond(); ok {
			return v
		}
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("no %s within 30s", what)
		}
	}
}

// pipeCannotBeCreated: a pipe whose role may not read its stream fails to
// create, and so does the deployment, naming the denial.
func pipeCannotBeCreated(t *testing.T, g iamgrant.Grant) {
	cloud := localcloud.RunT(t, localcloud.Options{SourceRoot: moduleRoot})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	_, err := cloud.Deploy(ctx, withoutGrant(t, g, true))
	var deployErr *cloudformation.DeployError
	if !errors.As(err, &deployErr) {
		t.Fatalf("deploy without %s: err = %v, want a failed deployment", g.Action, err)
	}
	if !strings.Contains(err.Error(), denialOf(g)) || !strings.Contains(err.Error(), "AccessDenied") {
		t.Fatalf("deployment failed for another reason: %v", err)
	}
}

// awaitAsyncIdle waits until every queued asynchronous invocation ran.
func (a *app) awaitAsyncIdle(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := a.cloud.EventBridge.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if err := a.cloud.Lambda.WaitAsyncIdle(ctx); err != nil {
		t.Fatal(err)
	}
}

// receiveOne long-polls a queue for one message and returns its body.
func (a *app) receiveOne(t *testing.T, queueURL string) string {
	t.Helper()
	out, err := sqs.NewFromConfig(a.cfg).ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{
		QueueUrl: &queueURL, WaitTimeSeconds: 20,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Messages) != 1 {
		t.Fatalf("queue %s: got %d messages within 20s, want 1", queueURL, len(out.Messages))
	}
	return aws.ToString(out.Messages[0].Body)
}

// pipeDeadLetterQueueURL finds the pipe's dead-letter queue.
func (a *app) pipeDeadLetterQueueURL(t *testing.T) string {
	t.Helper()
	tmpl := assemblyedit.Read(t, assemblyDir)
	for _, p := range tmpl.ResourcesOfType(t, "AWS::Pipes::Pipe") {
		params := p["Properties"].(map[string]any)["SourceParameters"].(map[string]any)["DynamoDBStreamParameters"].(map[string]any)
		getAtt := params["DeadLetterConfig"].(map[string]any)["Arn"].(map[string]any)["Fn::GetAtt"].([]any)
		if url, ok := a.stack.PhysicalIDs[getAtt[0].(string)]; ok {
			return url
		}
	}
	t.Fatal("no deployed dead-letter queue for the pipe")
	return ""
}

func TestAnonymousRequestsToTheAppBucketAreDenied(t *testing.T) {
	a := deployApp(t, assemblyDir)
	bucket := a.output(t, schemas.OutputBucketName)
	a.putPNG(t, "private.png")
	for _, method := range []string{http.MethodGet, http.MethodPut} {
		req, err := http.NewRequest(method, a.cloud.Endpoint()+"/"+bucket+"/private.png", strings.NewReader("overwrite"))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "<Code>AccessDenied</Code><Message>Access Denied</Message>") {
			t.Errorf("anonymous %s: %d %s", method, resp.StatusCode, body)
		}
	}
}

func TestRoleSessionsAreDeniedInAWSWords(t *testing.T) {
	a := deployApp(t, assemblyDir)
	bucket := a.output(t, schemas.OutputBucketName)
	roleARN := a.stackRoleARN(t, path.Base(imageFunctionPackage))
	creds := a.cloud.Identities().AssumeRole(roleARN, "probe", time.Now(), time.Hour)
	cfg := a.cfg.Copy()
	cfg.Credentials = awstest.Static(creds)
	client := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })

	key := "photo.png"
	if _, err := client.PutObject(context.Background(), &s3.PutObjectInput{Bucket: &bucket, Key: &key,
		Body: strings.NewReader("granted")}); err != nil {
		t.Fatalf("PutObject, which the role grants: %v", err)
	}
	_, err := client.DeleteObject(context.Background(), &s3.DeleteObjectInput{Bucket: &bucket, Key: &key})
	roleName := roleARN[strings.LastIndex(roleARN, "/")+1:]
	want := fmt.Sprintf(`User: arn:aws:sts::000000000000:assumed-role/%s/probe is not authorized to perform: s3:DeleteObject on resource: "arn:aws:s3:::%s/%s" because no identity-based policy allows the s3:DeleteObject action`,
		roleName, bucket, key)
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "AccessDenied" || apiErr.ErrorMessage() != want {
		t.Fatalf("DeleteObject as the role: %v\nwant AccessDenied: %s", err, want)
	}
	_, err = dynamodb.NewFromConfig(cfg).Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String(a.output(t, schemas.OutputTableName))})
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "AccessDeniedException" ||
		!strings.Contains(apiErr.ErrorMessage(), "is not authorized to perform: dynamodb:Scan on resource: arn:aws:dynamodb:us-east-1:000000000000:table/") {
		t.Fatalf("Scan as the role: %v", err)
	}
}

func TestIAMOffAllowsEverything(t *testing.T) {
	cloud := localcloud.RunT(t, localcloud.Options{SourceRoot: moduleRoot, IAM: localcloud.IAMOff})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	stack, err := cloud.Deploy(ctx, withoutGrant(t, iamgrant.Grant{RoleID: pipeRoleID(t), Sid: "ReadTableStream", Action: "dynamodb:GetRecords"}, false))
	if err != nil {
		t.Fatalf("with IAM off, a pipe role without stream access deploys: %v", err)
	}
	cfg := awstest.Config(t, cloud.Endpoint())
	cfg.Credentials = awstest.Static(identity.Credentials{AccessKeyID: "anyone", SecretAccessKey: "anything"})
	bucket := stack.Outputs[schemas.OutputBucketName]
	_, err = s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).PutObject(ctx, &s3.PutObjectInput{
		Bucket: &bucket, Key: aws.String("k"), Body: strings.NewReader("x")})
	if err != nil {
		t.Fatalf("with IAM off, unknown credentials may write: %v", err)
	}
}

// stackRoleARN is the deployed ARN of the role that owner acts with.
func (a *app) stackRoleARN(t *testing.T, owner string) string {
	t.Helper()
	for id, o := range iamgrant.RoleOwners(t, assemblyedit.Read(t, assemblyDir)) {
		if o == owner {
			role, err := a.cloud.IAM.Role(a.stack.PhysicalIDs[id])
			if err != nil {
				t.Fatal(err)
			}
			return role.ARN
		}
	}
	t.Fatalf("no role of %s", owner)
	return ""
}

func pipeRoleID(t *testing.T) string {
	t.Helper()
	for id, o := range iamgrant.RoleOwners(t, assemblyedit.Read(t, assemblyDir)) {
		if o == "pipe" {
			return id
		}
	}
	t.Fatal("no pipe role")
	return ""
}
