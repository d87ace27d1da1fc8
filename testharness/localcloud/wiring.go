package localcloud

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/activity"
	"github.com/tracebridge/tracebridge/testharness/localcloud/arn"
	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
	"github.com/tracebridge/tracebridge/testharness/localcloud/cfnresource"
	"github.com/tracebridge/tracebridge/testharness/localcloud/cloudformation"
	"github.com/tracebridge/tracebridge/testharness/localcloud/dynamodb"
	"github.com/tracebridge/tracebridge/testharness/localcloud/dynamodbstreams"
	"github.com/tracebridge/tracebridge/testharness/localcloud/eventbridge"
	"github.com/tracebridge/tracebridge/testharness/localcloud/eventschemas"
	"github.com/tracebridge/tracebridge/testharness/localcloud/gateway"
	"github.com/tracebridge/tracebridge/testharness/localcloud/iam"
	"github.com/tracebridge/tracebridge/testharness/localcloud/identity"
	"github.com/tracebridge/tracebridge/testharness/localcloud/lambda"
	"github.com/tracebridge/tracebridge/testharness/localcloud/logs"
	"github.com/tracebridge/tracebridge/testharness/localcloud/observe"
	"github.com/tracebridge/tracebridge/testharness/localcloud/pipes"
	"github.com/tracebridge/tracebridge/testharness/localcloud/s3"
	"github.com/tracebridge/tracebridge/testharness/localcloud/sqs"
	"github.com/tracebridge/tracebridge/testharness/localcloud/stepfunctions"
	"github.com/tracebridge/tracebridge/testharness/localcloud/sts"
	"github.com/tracebridge/tracebridge/testharness/localcloud/xray"
)

// services are the local cloud's services. This file is the only place
// they meet; every edge between two services is one adapter below:
//
//	S3 object written ──▶ EventBridge default bus        (s3Events)
//	DynamoDB write    ──▶ DynamoDB Streams record         (tableStreams)
//	Stream record     ──▶ Pipe (filter) ──▶ Lambda target (pipeFunctions)
//	Pipe dead letters ──▶ SQS                             (pipeQueues)
//	Pipe bus target   ──▶ EventBridge                     (pipeEvents)
//	EventBridge rule  ──▶ Lambda (async, resource policy) (eventsToLambda)
//	EventBridge rule  ──▶ SQS queue, dead-letter queues   (eventsToSQS)
//	SQS queue         ──▶ event source mapping ──▶ Lambda (lambdaQueues)
//	Lambda output     ──▶ CloudWatch Logs                 (lambdaLogs)
//	S3 object         ──▶ Lambda deployment package       (lambdaCode)
//	Lambda invocation ──▶ X-Ray segments; functions' SDKs ──▶ X-Ray daemon (lambdaTracer)
//	Lambda async      ──▶ on-success/on-failure destination (lambdaDestinations)
//	EventBridge rule  ──▶ Step Functions execution        (ruleExecutions)
//	Pipe target       ──▶ Step Functions execution        (pipeExecutions)
//	Traced execution  ──▶ X-Ray segment; its tasks' Lambda segments join it (executionTracer)
//	Execution status  ──▶ EventBridge default bus        (sfnStatusEvents)
//	State machine task──▶ Lambda, EventBridge, and any awsJson API (sfnLambda, sfnEvents, gateway SDK caller)
//	CloudFormation    ──▶ every service's provisioners; Lambda for custom
//	                      resources; S3 and Logs for CDK's helper resources;
//	                      S3 for TemplateURLs (templateObjects)
type services struct {
	S3             *s3.Service
	SQS            *sqs.Service
	EventBridge    *eventbridge.Service
	Lambda         *lambda.Service
	Logs           *logs.Service
	IAM            *iam.Service
	DynamoDB       *dynamodb.Service
	Streams        *dynamodbstreams.Service
	Pipes          *pipes.Service
	Schemas        *eventschemas.Service
	XRay           *xray.Service
	StepFunctions  *stepfunctions.Service
	STS            *sts.Service
	CloudFormation *cloudformation.Engine

	// activity is what every service is still doing, for WaitSettled.
	activity *activity.Tracker
	// observe is the history the console shows (wiring_observe.go).
	observe    *observe.Recorder
	stopSweeps context.CancelFunc // ends DynamoDB's TTL sweeps
	// log reports what goes wrong between services, where no caller
	// hears of it (Options.Logger).
	log *slog.Logger
}

// ttlSweepInterval is how often expired DynamoDB items are deleted, on the
// cloud's clock. AWS takes up to a few days; a minute keeps tests that
// advance a fake clock close to "expired means gone".
const ttlSweepInterval = time.Minute

// wire builds the services and connects them. c.endpoint and
// c.identities must be set.
func (c *Cloud) wire(opts Options) error {
	clk := opts.Clock
	c.activity = activity.New(clk)
	c.log = opts.Logger
	c.observe = observe.New(observe.Options{Now: clk.Now})
	// IAM and the authorizer first: every adapter below that acts as a
	// role gets the finished permissions.
	c.IAM = iam.New(iam.Options{Clock: clk})
	c.authz = c.newAuthorizer(opts.IAM)
	perms := permissions{c.authz, c.observe}
	c.Logs = logs.New(logs.Options{Clock: clk, CreateMissingGroups: true})
	c.SQS = sqs.New(sqs.Options{Clock: clk, Endpoint: c.endpoint})
	c.XRay = xray.New(xray.Options{Clock: clk})
	daemon, err := c.XRay.ListenDaemon("127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("local cloud: X-Ray daemon: %w", err)
	}
	c.Lambda = lambda.New(lambda.Options{
		Clock:             clk,
		Credentials:       c.identities,
		SourceRoot:        opts.SourceRoot,
		Logs:              lambdaLogs{logs: c.Logs, perms: perms, denied: &deniedGroups{}, log: c.log, observe: c.observe},
		Destinations:      lambdaDestinations{c},
		CodeObjects:       lambdaCode{c},
		Tracer:            lambdaTracer{c.XRay, c.log},
		Observer:          invocationObserver{c.observe},
		EndpointURL:       c.endpoint,
		XRayDaemonAddress: daemon,
		Activity:          c.activity,
		Faults:            lambdaFaults{c},
		Queues:            lambdaQueues{c.SQS, perms},
	})
	c.EventBridge = eventbridge.New(eventbridge.Options{
		Clock:   clk,
		Lambda:  eventsToLambda{c.Lambda},
		SQS:     eventsToSQS{c.SQS, perms},
		StepFns: ruleExecutions{c, perms},
		Faults:  eventFaults{c},
		OnDeliveryFailure: func(f eventbridge.DeliveryFailure) {
			c.log.Warn("EventBridge gave up on an event", "failure", fmt.Sprintf("%+v", f))
			eventsObserver{c.observe}.gaveUp(f)
		},
		Observer: eventsObserver{c.observe},
		Activity: c.activity,
	})
	c.S3 = s3.New(s3.Options{
		Clock:  clk,
		Events: s3Events{c.EventBridge},
		OnPublishError: func(err error) {
			c.log.Warn("S3 could not publish an event to EventBridge", "error", err)
		},
	})
	c.StepFunctions = stepfunctions.New(stepfunctions.Options{
		Clock:    clk,
		Roles:    c.identities,
		Lambda:   sfnLambda{c.Lambda, perms},
		Events:   sfnEvents{c.EventBridge, perms},
		AWS:      stepfunctions.NewGatewaySDKCaller(c.endpoint, c.identities),
		Tracer:   executionTracer{c.XRay, c.log},
		Activity: c.activity,
		// Status changes go to the default bus as on AWS.
		StatusChanges: sfnStatusEvents{c.EventBridge},
	})
	c.Streams = dynamodbstreams.New(dynamodbstreams.Options{Clock: clk})
	c.DynamoDB = dynamodb.New(dynamodb.Options{Clock: clk, Changes: tableStreams{c.Streams, c.log}})
	sweeps, stopSweeps := context.WithCancel(context.Background())
	c.stopSweeps = stopSweeps
	c.DynamoDB.StartTTLSweeper(sweeps, ttlSweepInterval)
	c.Pipes = pipes.New(pipes.Options{
		Clock:       clk,
		Streams:     c.Streams,
		Functions:   pipeFunctions{c.Lambda, perms},
		Executions:  pipeExecutions{c, perms},
		Events:      pipeEvents{c.EventBridge, perms},
		Queues:      pipeQueues{c.SQS, perms},
		Roles:       c.identities,
		Permissions: perms,
		Activity:    c.activity,
		Observer:    pipeRecords{c.observe},
	})
	c.Schemas = eventschemas.New(eventschemas.Options{Clock: clk})
	c.STS = sts.New(sts.Options{Clock: clk, Identities: c.identities, Roles: iamRoles{c.IAM}})
	registry := cfnresource.Registry{
		// AWS::CDK::Metadata only records what CDK built the stack with.
		"AWS::CDK::Metadata": noResource{},
	}
	for _, r := range []cfnresource.Registry{
		c.S3.Provisioners(), c.SQS.Provisioners(), c.EventBridge.Provisioners(),
		c.Lambda.Provisioners(), c.Logs.Provisioners(), c.IAM.Provisioners(),
		c.DynamoDB.Provisioners(), c.Pipes.Provisioners(), c.Schemas.Provisioners(),
		c.StepFunctions.Provisioners(),
	} {
		for typ, p := range r {
			if _, dup := registry[typ]; dup {
				return fmt.Errorf("local cloud: two services provision %s", typ)
			}
			registry[typ] = p
		}
	}
	c.CloudFormation = cloudformation.New(cloudformation.Options{
		Clock:          clk,
		Provisioners:   registry,
		Endpoint:       c.endpoint,
		Invoker:        customResourceInvoker{c.Lambda},
		BucketNotifier: bucketNotifier{c.S3},
		LogRetention:   logRetention{c.Logs},
		Templates:      templateObjects{c.S3},
		Activity:       c.activity,
	})
	return nil
}

// routes lists every service's gateway route.
func (c *Cloud) routes() []gateway.Route {
	return []gateway.Route{
		c.controlRoute(),
		c.CloudFormation.Route(), c.Lambda.Route(), c.EventBridge.Route(), c.Logs.Route(),
		c.SQS.Route(), c.IAM.Route(), c.Pipes.Route(), c.Schemas.Route(), c.STS.Route(), c.XRay.Route(),
		c.StepFunctions.Route(),
		// Both sign as "dynamodb"; the target prefix tells them apart, and
		// a request with neither goes to DynamoDB, the first.
		c.DynamoDB.Route(), c.Streams.Route(),
		// S3 last: it is the fallback for unsigned requests.
		c.S3.Route(),
	}
}

// closeServices stops what runs in the background: stack operations and
// deliveries first, so that nothing new reaches the function processes
// Lambda then ends.
func (c *Cloud) closeServices(ctx context.Context) error {
	c.CloudFormation.Close()
	c.stopSweeps()
	c.Pipes.Close()
	c.EventBridge.Close()
	c.StepFunctions.Close()
	return errors.Join(c.Lambda.Close(ctx), c.XRay.Close())
}

// noResource provisions a resource type that creates nothing.
type noResource struct{}

func (noResource) Create(_ context.Context, req cfnresource.Request) (cfnresource.Resource, error) {
	return cfnresource.Resource{PhysicalID: req.StackName + "-" + req.LogicalID}, nil
}

func (noResource) Delete(context.Context, cfnresource.Request, cfnresource.Resource) error {
	return nil
}

// s3Events puts S3's notifications on EventBridge's default bus.
type s3Events struct{ events *eventbridge.Service }

func (a s3Events) PublishEvent(ctx context.Context, e s3.Event) error {
	_, err := a.events.PutEvent(ctx, eventbridge.Entry{
		EventBusName: "default", Source: e.Source, DetailType: e.DetailType,
		Detail: e.Detail, Resources: e.Resources, Time: e.Time,
	})
	return err
}

// sfnStatusEvents puts Step Functions' execution status changes on
// EventBridge's default bus, as s3Events puts S3's (the same event shape).
type sfnStatusEvents struct{ events *eventbridge.Service }

func (a sfnStatusEvents) PublishStatusChange(ctx context.Context, e stepfunctions.StatusChange) error {
	return s3Events(a).PublishEvent(ctx, s3.Event(e))
}

// eventsToLambda invokes a rule's Lambda target as the events.amazonaws.com
// service principal, which the function's resource policy must allow.
type eventsToLambda struct{ lambda *lambda.Service }

func (a eventsToLambda) InvokeAsync(ctx context.Context, functionARN string, payload []byte, o eventbridge.AsyncInvokeOptions) error {
	return a.lambda.InvokeAsync(ctx, functionARN, payload, lambda.AsyncOptions{
		Principal: o.Principal, SourceARN: o.SourceARN, SourceAccount: o.SourceAccount, TraceHeader: o.TraceHeader,
		RequestID: o.RequestID,
	})
}

// eventsToSQS sends a rule's SQS target and dead-letter messages, with
// EventBridge's attributes as string message attributes, as the
// events.amazonaws.com service principal, which the queue's policy must
// allow for the rule (aws:SourceArn).
type eventsToSQS struct {
	sqs   *sqs.Service
	perms permissions
}

func (a eventsToSQS) SendMessage(ctx context.Context, queueARN string, m eventbridge.QueueMessage) error {
	if err := a.perms.CheckService(ctx, "events.amazonaws.com", "sqs", "sqs:SendMessage", queueARN, m.RuleARN); err != nil {
		return err
	}
	in := sqs.SendInput{Body: m.Body, MessageAttributes: make(map[string]sqs.MessageAttributeValue, len(m.Attributes))}
	for k, v := range m.Attributes {
		in.MessageAttributes[k] = sqs.MessageAttributeValue{DataType: "String", StringValue: &v}
	}
	if m.TraceHeader != "" {
		in.SystemAttributes = map[string]string{"AWSTraceHeader": m.TraceHeader}
	}
	_, err := a.sqs.SendMessage(ctx, queueARN, in)
	return err
}

// lambdaQueues is SQS as Lambda's event source mappings poll it, as the
// function's role (the principal in ctx), which must allow each call.
type lambdaQueues struct {
	sqs   *sqs.Service
	perms permissions
}

func (a lambdaQueues) Allowed(ctx context.Context, action, queueARN string) error {
	return a.perms.Check(ctx, "sqs", action, queueARN)
}

func (a lambdaQueues) QueueAttributes(ctx context.Context, queueARN string) (map[string]string, error) {
	url, err := a.queueURL(ctx, "sqs:GetQueueAttributes", queueARN)
	if err != nil {
		return nil, err
	}
	return a.sqs.QueueAttributes(ctx, url, []string{"All"})
}

func (a lambdaQueues) Poll(ctx context.Context, queueARN string, max int) ([]lambda.QueueMessage, time.Time, error) {
	if err := a.perms.Check(ctx, "sqs", "sqs:ReceiveMessage", queueARN); err != nil {
		return nil, time.Time{}, err
	}
	got, next, err := a.sqs.Poll(ctx, queueARN, sqs.ReceiveInput{MaxNumberOfMessages: max,
		AttributeNames: []string{"All"}, MessageAttributeNames: []string{"All"}})
	out := make([]lambda.QueueMessage, len(got))
	for i, m := range got {
		out[i] = lambda.QueueMessage{MessageID: m.MessageID, ReceiptHandle: m.ReceiptHandle, Body: m.Body,
			MD5OfBody: m.MD5OfBody, MD5OfMessageAttributes: m.MD5OfMessageAttributes, Attributes: m.Attributes}
		for name, v := range m.MessageAttributes {
			if out[i].MessageAttributes == nil {
				out[i].MessageAttributes = map[string]lambda.QueueMessageAttribute{}
			}
			out[i].MessageAttributes[name] = lambda.QueueMessageAttribute{DataType: v.DataType, StringValue: v.StringValue, BinaryValue: v.BinaryValue}
		}
	}
	return out, next, err
}

func (a lambdaQueues) DeleteMessage(ctx context.Context, queueARN, receiptHandle string) error {
	url, err := a.queueURL(ctx, "sqs:DeleteMessage", queueARN)
	if err != nil {
		return err
	}
	return a.sqs.DeleteMessage(ctx, url, receiptHandle)
}

func (a lambdaQueues) Watch(queueARN string, wake func()) (func(), error) {
	return a.sqs.Watch(queueARN, wake)
}

// queueURL asks for action on the queue and finds its URL.
func (a lambdaQueues) queueURL(ctx context.Context, action, queueARN string) (string, error) {
	if err := a.perms.Check(ctx, "sqs", action, queueARN); err != nil {
		return "", err
	}
	q, err := arn.Parse(queueARN)
	if err != nil {
		return "", err
	}
	return a.sqs.QueueURL(ctx, q.Resource)
}

// lambdaLogs stores function output in CloudWatch Logs, as the
// function's role (the principal in ctx) may.
type lambdaLogs struct {
	logs    *logs.Service
	perms   permissions
	denied  *deniedGroups
	log     *slog.Logger
	observe *observe.Recorder
}

func (a lambdaLogs) Write(ctx context.Context, group, stream string, events []lambda.LogEvent) {
	for _, e := range events {
		a.observe.LogLine(stream, e.Message) // what the function wrote, whether its role may store it or not
	}
	streamARN := arn.New("logs", "log-group:"+group+":log-stream:"+stream)
	for _, action := range []string{"logs:CreateLogStream", "logs:PutLogEvents"} {
		if err := a.perms.Check(ctx, "logs", action, streamARN); err != nil {
			if a.denied.first(group) {
				a.log.Warn("Lambda cannot write a function's logs", "group", group, "error", err)
			}
			return
		}
	}
	in := make([]logs.InputEvent, len(events))
	for i, e := range events {
		in[i] = logs.InputEvent{Timestamp: e.Timestamp, Message: e.Message}
	}
	if err := a.logs.PutEvents(ctx, group, stream, in); err != nil {
		a.log.Warn("storing a function's output", "group", group, "error", err)
	}
}

// lambdaDestinations sends asynchronous invocation records to their
// destination, by the destination ARN's service, in the shape Lambda uses.
type lambdaDestinations struct{ c *Cloud }

func (a lambdaDestinations) SendInvocationRecord(ctx context.Context, destinationARN string, rec lambda.DestinationRecord) error {
	body, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("encode invocation record: %w", err)
	}
	dest, err := arn.Parse(destinationARN)
	if err != nil {
		return err
	}
	switch dest.Service {
	case "sqs":
		_, err = a.c.SQS.SendMessage(ctx, destinationARN, sqs.SendInput{Body: string(body)})
	case "events":
		detailType := "Lambda Function Invocation Result - Failure"
		if rec.RequestContext.Condition == "Success" {
			detailType = "Lambda Function Invocation Result - Success"
		}
		_, err = a.c.EventBridge.PutEvent(ctx, eventbridge.Entry{
			EventBusName: destinationARN, Source: "lambda", DetailType: detailType,
			Detail: body, Resources: []string{rec.RequestContext.FunctionARN, destinationARN},
		})
	case "lambda":
		err = a.c.Lambda.InvokeEvent(ctx, destinationARN, body, "")
	default:
		err = fmt.Errorf("destination %s: %s destinations are not supported locally", destinationARN, dest.Service)
	}
	return err
}

// customResourceInvoker runs a custom resource's service token as
// CloudFormation does: an event invocation with the deployer's identity.
type customResourceInvoker struct{ lambda *lambda.Service }

func (a customResourceInvoker) InvokeAsync(ctx context.Context, functionARN string, payload []byte) error {
	return a.lambda.InvokeEvent(ctx, functionARN, payload, "")
}

// templateObjects reads the templates TemplateURLs name from S3.
type templateObjects struct{ s3 *s3.Service }

func (a templateObjects) GetTemplate(ctx context.Context, bucket, key string) ([]byte, error) {
	o, err := a.s3.GetObject(ctx, bucket, key)
	if err != nil {
		return nil, err
	}
	return o.Data, nil
}

// lambdaCode reads the zips functions' code names in S3: CreateFunction's
// and UpdateFunctionCode's, and a template's Code that is not an asset of
// the cloud assembly. S3 is made after Lambda, hence the cloud.
type lambdaCode struct{ c *Cloud }

func (a lambdaCode) GetObject(ctx context.Context, bucket, key string) ([]byte, error) {
	return templateObjects{a.c.S3}.GetTemplate(ctx, bucket, key)
}

// bucketNotifier applies CDK's Custom::S3BucketNotifications natively.
type bucketNotifier struct{ s3 *s3.Service }

func (a bucketNotifier) PutBucketNotificationConfiguration(ctx context.Context, bucket string, raw json.RawMessage) error {
	var cfg s3.NotificationConfiguration
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return fmt.Errorf("bucket %s: notification configuration: %w", bucket, err)
	}
	return a.s3.PutBucketNotificationConfiguration(ctx, bucket, cfg)
}

// logRetention applies CDK's Custom::LogRetention natively: it creates the
// group when missing, then sets its retention.
type logRetention struct{ logs *logs.Service }

func (a logRetention) SetLogRetention(ctx context.Context, group string, days int) error {
	err := a.logs.CreateGroup(ctx, group, logs.GroupConfig{})
	var apiErr *awsproto.Error
	if err != nil && !(errors.As(err, &apiErr) && apiErr.Code == "ResourceAlreadyExistsException") {
		return err
	}
	return a.logs.SetRetention(ctx, group, days)
}

// tableStreams records every table change on the table's stream, and
// opens and closes streams as tables enable and disable them.
type tableStreams struct {
	streams *dynamodbstreams.Service
	log     *slog.Logger
}

func (a tableStreams) TableChanged(ctx context.Context, c dynamodb.Change) {
	err := a.streams.Append(ctx, dynamodbstreams.Change{
		TableName: c.TableName, StreamARN: c.StreamARN, StreamViewType: c.StreamViewType, EventName: c.EventName,
		Keys: c.Keys, OldImage: c.OldImage, NewImage: c.NewImage, SizeBytes: c.SizeBytes,
		ApproximateCreationDateTime: c.ApproximateCreationDateTime, TTLDelete: c.UserIdentity != nil,
	})
	if err != nil {
		a.log.Warn("recording a table change on its stream", "table", c.TableName, "error", err)
	}
}

func (a tableStreams) StreamEnabled(ctx context.Context, t dynamodb.TableDescription) {
	spec := dynamodbstreams.StreamSpec{TableName: t.TableName, StreamARN: t.LatestStreamArn}
	if t.StreamSpecification != nil {
		spec.StreamViewType = t.StreamSpecification.StreamViewType
	}
	for _, k := range t.KeySchema {
		spec.KeySchema = append(spec.KeySchema, dynamodbstreams.KeySchemaElement{AttributeName: k.AttributeName, KeyType: k.KeyType})
	}
	if _, err := a.streams.EnableStream(ctx, spec); err != nil {
		a.log.Warn("opening a table's stream", "table", t.TableName, "error", err)
	}
}

func (a tableStreams) StreamDisabled(ctx context.Context, streamARN string) {
	if err := a.streams.DisableStream(ctx, streamARN); err != nil {
		a.log.Warn("closing a table's stream", "stream", streamARN, "error", err)
	}
}

// pipeFunctions invokes a pipe's Lambda enrichment and target. A pipe acts
// with its role (the principal in ctx), which must allow
// lambda:InvokeFunction; no resource policy is needed.
type pipeFunctions struct {
	lambda *lambda.Service
	perms  permissions
}

func (a pipeFunctions) Invoke(ctx context.Context, functionARN string, payload []byte) (pipes.InvokeResult, error) {
	if err := a.perms.Check(ctx, "lambda", "lambda:InvokeFunction", functionARN); err != nil {
		return pipes.InvokeResult{}, err
	}
	res, err := a.lambda.Invoke(ctx, functionARN, payload, lambda.InvokeOptions{})
	return pipes.InvokeResult{Payload: res.Payload, FunctionError: res.FunctionError}, err
}

func (a pipeFunctions) InvokeAsync(ctx context.Context, functionARN string, payload []byte) error {
	if err := a.perms.Check(ctx, "lambda", "lambda:InvokeFunction", functionARN); err != nil {
		return err
	}
	return a.lambda.InvokeEvent(ctx, functionARN, payload, "")
}

// pipeEvents puts a pipe's output on its event bus target.
type pipeEvents struct {
	events *eventbridge.Service
	perms  permissions
}

func (a pipeEvents) PutEvents(ctx context.Context, entries []pipes.EventEntry) error {
	in := make([]eventbridge.Entry, len(entries))
	for i, e := range entries {
		if err := a.perms.Check(ctx, "events", "events:PutEvents", e.EventBusName); err != nil {
			return err
		}
		in[i] = eventbridge.Entry{EventBusName: e.EventBusName, Source: e.Source, DetailType: e.DetailType,
			Detail: json.RawMessage(e.Detail), Resources: e.Resources, Time: e.Time}
	}
	// The pipe acts with its role, not as AWS: it may not speak for aws.*.
	results, err := a.events.PutCallerEvents(ctx, in)
	if err != nil {
		return err
	}
	var failed []error
	for i, r := range results {
		if r.ErrorCode != "" {
			failed = append(failed, fmt.Errorf("entry %d: %s: %s", i, r.ErrorCode, r.ErrorMessage))
		}
	}
	return errors.Join(failed...)
}

// pipeQueues sends a pipe's dead-letter messages.
type pipeQueues struct {
	sqs   *sqs.Service
	perms permissions
}

func (a pipeQueues) SendMessage(ctx context.Context, queueARN, body string) error {
	if err := a.perms.Check(ctx, "sqs", "sqs:SendMessage", queueARN); err != nil {
		return err
	}
	_, err := a.sqs.SendMessage(ctx, queueARN, sqs.SendInput{Body: body})
	return err
}

// iamRoles tells STS which roles exist.
type iamRoles struct{ iam *iam.Service }

func (a iamRoles) RoleExists(_ context.Context, roleARN string) bool {
	_, err := a.iam.Role(roleARN)
	return err == nil
}

// lambdaTracer records the segments AWS Lambda emits for a traced
// invocation; the function's own SDK subsegments reach the X-Ray daemon
// and hang from the function segment whose id Lambda passed to it.
type lambdaTracer struct {
	xray *xray.Service
	log  *slog.Logger
}

func (a lambdaTracer) TraceInvocation(ctx context.Context, r lambda.InvocationRecord) {
	_, err := a.xray.RecordLambdaInvocation(ctx, xray.LambdaInvocation{
		TraceID: r.TraceID, ParentID: r.CallerParentID, FunctionARN: r.FunctionARN, RequestID: r.RequestID,
		Start: r.Start, ColdStart: r.InitDuration > 0, InitDuration: r.InitDuration,
		ServiceSegmentID: r.ServiceSegmentID, FunctionSegmentID: r.FunctionSegmentID,
	}, xray.LambdaOutcome{End: r.End, FunctionError: r.FunctionError, ErrorType: r.ErrorType, FaultID: r.FaultID})
	if err != nil {
		a.log.Warn("recording an invocation's trace", "function", r.FunctionARN, "error", err)
	}
}

// ruleExecutions and pipeExecutions start Step Functions executions for
// EventBridge rule targets and pipe targets, as a session of the target's
// or the pipe's role, which must allow states:StartExecution. They hold
// the cloud, not the service, because those services are built before
// Step Functions, which needs them in turn.
type ruleExecutions struct {
	c     *Cloud
	perms permissions
}

// ruleTargetSession is the session name of the role EventBridge assumes
// for a target (the local cloud's own choice: AWS's is not documented).
const ruleTargetSession = "eventbridge"

func (a ruleExecutions) StartExecution(ctx context.Context, stateMachineARN, roleARN, input, traceHeader string) error {
	ctx = identity.NewContext(ctx, identity.RoleSession(roleARN, ruleTargetSession, ""))
	if err := a.perms.Check(ctx, "states", "states:StartExecution", stateMachineARN); err != nil {
		return err
	}
	return startExecution(ctx, a.c, stateMachineARN, input, traceHeader)
}

func startExecution(ctx context.Context, c *Cloud, stateMachineARN, input, traceHeader string) error {
	_, err := c.StepFunctions.StartExecution(ctx, &stepfunctions.StartExecutionInput{
		StateMachineArn: stateMachineARN, Input: input, TraceHeader: traceHeader})
	return err
}

type pipeExecutions struct {
	c     *Cloud
	perms permissions
}

func (a pipeExecutions) StartExecution(ctx context.Context, stateMachineARN string, input []byte) error {
	if err := a.perms.Check(ctx, "states", "states:StartExecution", stateMachineARN); err != nil {
		return err
	}
	return startExecution(ctx, a.c, stateMachineARN, string(input), "")
}

func (a pipeExecutions) StartSyncExecution(ctx context.Context, stateMachineARN string, input []byte) ([]byte, bool, error) {
	if err := a.perms.Check(ctx, "states", "states:StartSyncExecution", stateMachineARN); err != nil {
		return nil, false, err
	}
	out, err := a.c.StepFunctions.StartSyncExecution(ctx, &stepfunctions.StartExecutionInput{StateMachineArn: stateMachineARN, Input: string(input)})
	if err != nil {
		return nil, false, err
	}
	return []byte(out.Output), out.Status != "SUCCEEDED", nil
}

// sfnLambda runs lambda:invoke tasks as the state machine's role, which
// must allow lambda:InvokeFunction.
type sfnLambda struct {
	lambda *lambda.Service
	perms  permissions
}

func (a sfnLambda) Invoke(ctx context.Context, functionARN string, payload []byte, o stepfunctions.LambdaInvokeOptions) (stepfunctions.LambdaResult, error) {
	if err := a.perms.Check(ctx, "lambda", "lambda:InvokeFunction", functionARN); err != nil {
		return stepfunctions.LambdaResult{}, err
	}
	if o.InvocationType == "Event" {
		return stepfunctions.LambdaResult{}, a.lambda.InvokeEvent(ctx, functionARN, payload, o.TraceHeader)
	}
	res, err := a.lambda.Invoke(ctx, functionARN, payload, lambda.InvokeOptions{TraceHeader: o.TraceHeader, ClientContext: o.ClientContext})
	return stepfunctions.LambdaResult{Payload: res.Payload, FunctionError: res.FunctionError,
		ExecutedVersion: res.ExecutedVersion, RequestID: res.RequestID}, err
}

// sfnEvents runs events:putEvents tasks as the state machine's role.
type sfnEvents struct {
	events *eventbridge.Service
	perms  permissions
}

func (a sfnEvents) PutEvents(ctx context.Context, entries []stepfunctions.EventEntry) ([]stepfunctions.EventResult, error) {
	in := make([]eventbridge.Entry, len(entries))
	for i, e := range entries {
		if err := a.perms.Check(ctx, "events", "events:PutEvents", eventBusARN(e.EventBusName)); err != nil {
			return nil, err
		}
		in[i] = eventbridge.Entry{EventBusName: e.EventBusName, Source: e.Source, DetailType: e.DetailType,
			Detail: e.Detail, Resources: e.Resources, Time: e.Time, TraceHeader: e.TraceHeader}
	}
	// The execution acts with its role, not as AWS: it may not speak for aws.*.
	results, err := a.events.PutCallerEvents(ctx, in)
	if err != nil {
		return nil, err
	}
	out := make([]stepfunctions.EventResult, len(results))
	for i, r := range results {
		out[i] = stepfunctions.EventResult{EventID: r.EventID, ErrorCode: r.ErrorCode, ErrorMessage: r.ErrorMessage}
	}
	return out, nil
}

// executionTracer records the segment Step Functions emits for a traced
// execution; the task subsegments are the parents of the trace headers its
// integrations received, so Lambda's segments join the execution's trace.
type executionTracer struct {
	xray *xray.Service
	log  *slog.Logger
}

func (a executionTracer) TraceExecution(r stepfunctions.ExecutionTrace) {
	x := xray.StateMachineExecution{
		TraceID: r.TraceID, SegmentID: r.SegmentID, ParentID: r.ParentID,
		StateMachineName: r.StateMachineName, StateMachineARN: r.StateMachineArn, ExecutionARN: r.ExecutionArn,
		Start: r.Start, End: r.End, Failed: r.Status != "SUCCEEDED", Error: r.Error, Cause: r.Cause,
	}
	for _, t := range r.Tasks {
		x.Tasks = append(x.Tasks, xray.StateMachineTask{SegmentID: t.SegmentID, StateName: t.StateName,
			Resource: t.Resource, Start: t.Start, End: t.End, Error: t.Error})
	}
	if err := a.xray.RecordStateMachineExecution(context.Background(), x); err != nil {
		a.log.Warn("recording an execution's trace", "execution", r.ExecutionArn, "error", err)
	}
}
