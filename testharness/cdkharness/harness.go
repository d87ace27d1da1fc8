package cdkharness

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/tracebridge/tracebridge/schemas"
	"github.com/tracebridge/tracebridge/testharness"
	"github.com/tracebridge/tracebridge/testharness/cdkgo"
)

// SkipTestsContextKey is the CDK context flag that leaves the deploy-time
// test run out of the stack (`cdk deploy -c tracebridge:skipTests=true`).
// The state machine stays, so `tracebridge test --stack` can still run it.
const SkipTestsContextKey = "tracebridge:skipTests"

// Props configures the harness. Builder, Tests, SuitePackage and EventBus
// are required.
type Props struct {
	// Builder builds the harness functions, the app's own builder, so that
	// one go build (cdkgo.Builder.StartBuildAll with SuiteMains) compiles
	// the app's functions and the harness's.
	Builder *cdkgo.Builder
	// Tests are the app's suite, as SuitePackage's Tests function returns
	// it: the state machine gets one branch per test, the completion rule
	// matches the events they await, the deploy-time check counts them.
	Tests []testharness.Test
	// SuitePackage is the suite's Go package, relative to the module root
	// ("./suite"). It must export `func Tests() []testharness.Test`; the
	// harness functions' generated mains call it.
	SuitePackage string
	// EventBus is the app's bus: its handlers put their completion events
	// there (testharness/completion), and the runner puts the run's
	// TestRunCompleted event.
	EventBus awsevents.IEventBus
	// Outputs are the stack outputs the tests read (testharness.Env
	// Outputs), by output name, with their values. The runner gets them in
	// its environment, as the tests get them from the deployed stack when
	// they run from the CLI.
	Outputs map[string]*string
	// Access is what the tests do to the app's resources: the runner's
	// permissions.
	Access Access
	// Glue is what the diagnosis of a missing completion event reads: the
	// await function's permissions.
	Glue Glue
	// TestRunAfter are what the suite needs deployed before it runs at
	// deployment: the app's resources the tests touch. Nil means every
	// other construct the stack holds when New is called.
	TestRunAfter []constructs.IConstruct
	// RunID is the deploy-time check's property that makes the suite run
	// on every deployment; "" means NewRunID(time.Now()).
	RunID string
}

// Harness is the integration-test harness added to the app's stack: the
// state machine generated from the suite (one Parallel branch per test),
// the runner it invokes for each test's act, assert, cleanup and report
// steps, the await function that pairs task tokens with completion events
// (through Table, fed by Rule on the app bus), and the deploy-time check —
// TestRun, a custom resource whose service token, Starter, starts the state
// machine with the CloudFormation request.
type Harness struct {
	constructs.Construct
	Table        awsdynamodb.Table
	Runner       *cdkgo.Function
	Await        *cdkgo.Function
	Starter      *cdkgo.Function
	StateMachine awsstepfunctions.CfnStateMachine
	Role         awsiam.Role
	LogGroup     awslogs.LogGroup
	Rule         awsevents.Rule
	// RunEndedRule sends the starter the status changes of test runs
	// that end without a report (timed out, stopped, failed), so that
	// CloudFormation still gets its answer.
	RunEndedRule    awsevents.Rule
	DeadLetterQueue awssqs.Queue
	// Diagnosis is the await function's policy of reads on Glue.
	Diagnosis awsiam.Policy
	// TestRun is nil when the stack was synthesized with SkipTestsContextKey.
	TestRun awscdk.CustomResource
	// Output is the stack output TestStateMachineArn.
	Output awscdk.CfnOutput
	// Tests are the suite the state machine was generated from.
	Tests []testharness.Test
}

// New adds the harness to scope's stack. The RunID changes on every
// synthesis (the synthesis time), so CloudFormation updates the TestRun
// resource, and the suite runs, on every deployment.
func New(scope constructs.Construct, id string, props *Props) (*Harness, error) {
	if props == nil {
		props = &Props{}
	}
	if err := props.check(); err != nil {
		return nil, fmt.Errorf("harness: %w", err)
	}
	mains, err := SuiteMains(props.Builder, props.SuitePackage)
	if err != nil {
		return nil, fmt.Errorf("harness: %w", err)
	}
	runEnv, err := runnerEnvironment(props.Outputs, props.EventBus)
	if err != nil {
		return nil, fmt.Errorf("harness: %w", err)
	}
	after := props.TestRunAfter
	if after == nil {
		after = *awscdk.Stack_Of(scope).Node().Children()
	}
	definition, err := testharness.Definition(props.Tests)
	if err != nil {
		return nil, fmt.Errorf("harness: state machine definition: %w", err)
	}

	c := constructs.NewConstruct(scope, jsii.String(id))
	h := &Harness{Construct: c, Tests: props.Tests}
	h.Table = awsdynamodb.NewTable(c, jsii.String("Table"), &awsdynamodb.TableProps{
		PartitionKey:        &awsdynamodb.Attribute{Name: jsii.String(testharness.HarnessTablePartitionKey), Type: awsdynamodb.AttributeType_STRING},
		BillingMode:         awsdynamodb.BillingMode_PAY_PER_REQUEST,
		TimeToLiveAttribute: jsii.String(testharness.HarnessTableTTLAttribute),
		PointInTimeRecoverySpecification: &awsdynamodb.PointInTimeRecoverySpecification{
			PointInTimeRecoveryEnabled: jsii.Bool(true),
		},
		// Tokens and events of finished runs only: nothing to keep.
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})

	if h.Runner, err = newRunner(c, props, mains.Runner, runEnv); err != nil {
		return nil, err
	}
	if h.Await, err = newAwait(c, props.Builder, mains.Await, h.Table); err != nil {
		return nil, err
	}
	h.Diagnosis = props.Glue.grant(h.Await)
	h.newStateMachine(c, definition)
	if h.Starter, err = newStarter(c, props.Builder, mains.Starter, h.StateMachine); err != nil {
		return nil, err
	}
	if err := h.newRunEndedRule(c); err != nil {
		return nil, err
	}
	if err := h.newCompletionRule(c, props.EventBus); err != nil {
		return nil, err
	}
	if !cdkgo.ContextTrue(c.Node().TryGetContext(jsii.String(SkipTestsContextKey))) {
		runID := props.RunID
		if runID == "" {
			runID = NewRunID(time.Now())
		}
		h.newTestRun(c, after, runID)
	}
	h.Output = awscdk.NewCfnOutput(awscdk.Stack_Of(c), jsii.String(schemas.OutputTestStateMachineArn), &awscdk.CfnOutputProps{
		Value: h.StateMachine.AttrArn(),
	})
	return h, nil
}

// check tells what required props are missing.
func (p *Props) check() error {
	var missing []error
	if p.Builder == nil {
		missing = append(missing, errors.New("Props.Builder is nil"))
	}
	if len(p.Tests) == 0 {
		missing = append(missing, errors.New("Props.Tests is empty"))
	}
	if p.SuitePackage == "" {
		missing = append(missing, errors.New("Props.SuitePackage is empty"))
	}
	if p.EventBus == nil {
		missing = append(missing, errors.New("Props.EventBus is nil"))
	}
	return errors.Join(missing...)
}

// newTestRun defines the deploy-time check. It depends on after (the
// app) and the rest of the harness, so the tests run once everything
// they touch exists, and its RunId changes on every synthesis.
func (h *Harness) newTestRun(scope constructs.Construct, after []constructs.IConstruct, runID string) {
	h.TestRun = awscdk.NewCustomResource(scope, jsii.String("TestRun"), &awscdk.CustomResourceProps{
		ServiceToken: h.Starter.Function.FunctionArn(),
		ResourceType: jsii.String(testharness.TestRunResourceType),
		Properties:   &map[string]any{"RunId": runID, "Tests": strconv.Itoa(len(h.Tests))},
		// Nothing to remove: Delete is answered at once.
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})
	harness := []constructs.IConstruct{h.Table, h.Runner.Construct, h.Await.Construct, h.StateMachine, h.Rule, h.RunEndedRule}
	for _, dep := range append(append([]constructs.IConstruct{}, after...), harness...) {
		h.TestRun.Node().AddDependency(dep)
	}
}

// NewRunID is the TestRun property that changes on every synthesis.
func NewRunID(now time.Time) string { return now.UTC().Format(time.RFC3339Nano) }
