package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/tracebridge/tracebridge/schemas"
	"github.com/tracebridge/tracebridge/testharness"
	"github.com/tracebridge/tracebridge/testharness/cdkgo"
	"github.com/tracebridge/tracebridge/testharness/cdkharness"
	"github.com/tracebridge/tracebridge/testharness/cdkharness/testdata/minimalsuite"
)

// TestMinimalAppSynthesizesAHarness: an app made with the public packages
// alone — its bus and its suite, nothing of this app — gets the whole
// harness from cdkharness.New, clean under cdk-nag without a suppression
// of its own, with functions built from mains generated for its suite.
// It is a second app in the same jsii runtime, built with the same
// builder; only its template is rendered.
func TestMinimalAppSynthesizesAHarness(t *testing.T) {
	const suitePackage = "./testharness/cdkharness/testdata/minimalsuite"
	app := awscdk.NewApp(nil)
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{}), nil)
	stack := awscdk.NewStack(app, jsii.String("Minimal"), nil)
	bus := awsevents.NewEventBus(stack, jsii.String("Bus"), nil)
	awscdk.NewCfnOutput(stack, jsii.String(minimalsuite.OutputEventBusName), &awscdk.CfnOutputProps{Value: bus.EventBusName()})
	if _, err := cdkharness.New(stack, "Harness", &cdkharness.Props{
		Builder:      synthStack.Builder,
		Tests:        minimalsuite.Tests(),
		SuitePackage: suitePackage,
		EventBus:     bus,
		Outputs:      map[string]*string{minimalsuite.OutputEventBusName: bus.EventBusName()},
	}); err != nil {
		t.Fatal(err)
	}
	tmpl := assertions.Template_FromStack(stack, nil)
	for typ, n := range map[string]float64{
		"AWS::Lambda::Function": 3, "AWS::StepFunctions::StateMachine": 1, testharness.TestRunResourceType: 1,
		"AWS::Events::Rule": 2, "AWS::DynamoDB::Table": 1, "AWS::SQS::Queue": 1, "AWS::IAM::Policy": 1,
	} {
		tmpl.ResourceCountIs(jsii.String(typ), jsii.Number(n))
	}
	tmpl.HasOutput(jsii.String(schemas.OutputTestStateMachineArn), map[string]any{})
	tmpl.HasResourceProperties(jsii.String("AWS::Events::Rule"), map[string]any{
		"EventBusName": stack.Resolve(bus.EventBusName()),
		"EventPattern": map[string]any{"source": []any{"tracebridge.app"}, "detail-type": []any{minimalsuite.Pong}},
	})
	tmpl.HasResourceProperties(jsii.String("AWS::Lambda::Function"), map[string]any{
		"Environment": map[string]any{"Variables": map[string]any{
			testharness.EnvEventBusName: stack.Resolve(bus.EventBusName()),
			testharness.EnvOutputNames:  minimalsuite.OutputEventBusName,
		}},
	})
	runDeps := map[string]bool{}
	raw, err := json.Marshal(tmpl.ToJSON())
	if err != nil {
		t.Fatal(err)
	}
	var doc template
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	for id, r := range doc.Resources {
		if r.Type == testharness.TestRunResourceType {
			for _, d := range r.DependsOn {
				runDeps[d] = true
			}
			continue
		}
		if r.Type != "AWS::Lambda::Function" {
			continue
		}
		pkg, _ := r.Metadata[cdkgo.GoPackageMetadataKey].(string)
		source, _ := r.Metadata[cdkgo.GoMainMetadataKey].(string)
		if !strings.HasPrefix(pkg, suitePackage+"/_harness/test") || !strings.Contains(source, "func main() {") {
			t.Errorf("function %s: package %q, main %q; want a main generated under the suite", id, pkg, source)
		}
		if strings.Contains(pkg, "testrunner") && !strings.Contains(source, `suite "github.com/tracebridge/tracebridge/testharness/cdkharness/testdata/minimalsuite"`) {
			t.Errorf("the runner's main does not import the suite:\n%s", source)
		}
	}
	if bus := cdkgo.LogicalID(bus); !runDeps[bus] {
		t.Errorf("the test run depends on %v, not on the app's bus %s", runDeps, bus)
	}
	a := assertions.Annotations_FromStack(stack)
	for _, m := range *a.FindError(jsii.String("*"), assertions.Match_AnyValue()) {
		//lint:ignore SA1019 assertions.Annotations returns cxapi.SynthesisMessage, whose fields jsii marks deprecated; the Go binding has no other type
		t.Errorf("cdk-nag: %s: %v", *m.Id, m.Entry.Data)
	}
}

// New refuses, before it defines anything, props it cannot make a
// harness of: required ones missing, and outputs whose variables would
// collide in the runner's environment.
func TestHarnessRefusesWhatItCannotBuild(t *testing.T) {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Refused"), nil)
	bus := awsevents.NewEventBus(stack, jsii.String("Bus"), nil)
	other := awsevents.NewEventBus(stack, jsii.String("OtherBus"), nil)
	props := func(outputs map[string]*string) *cdkharness.Props {
		return &cdkharness.Props{Builder: synthStack.Builder, Tests: minimalsuite.Tests(),
			SuitePackage: "./testharness/cdkharness/testdata/minimalsuite", EventBus: bus, Outputs: outputs}
	}
	for name, tt := range map[string]struct {
		props *cdkharness.Props
		want  string
	}{
		"nothing": {nil, "Props.Builder is nil\nProps.Tests is empty\nProps.SuitePackage is empty\nProps.EventBus is nil"},
		"the harness's variable": {props(map[string]*string{"TestOutputNames": jsii.String("x")}),
			"output TestOutputNames: its variable TEST_OUTPUT_NAMES is the harness's own"},
		"one variable for two outputs": {props(map[string]*string{"QueueURL": jsii.String("a"), "QueueUrl": jsii.String("b")}),
			"outputs QueueURL and QueueUrl: both would be the runner's variable QUEUE_URL"},
		"another bus in the bus's variable": {props(map[string]*string{"EventBusName": other.EventBusName()}),
			"output EventBusName: its variable EVENT_BUS_NAME is the harness's bus, and the output is another value"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := cdkharness.New(stack, "Harness", tt.props)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New: %v, want an error saying %q", err, tt.want)
			}
		})
	}
	if n := len(*stack.Node().Children()); n != 2 {
		t.Errorf("the stack holds %d constructs after the refusals, want its 2 buses", n)
	}
}
