package eventbridge

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"

	"github.com/tracebridge/tracebridge/testharness/localcloud/cfnresource"
)

func TestProvisioners(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	reg := f.svc.Provisioners()
	req := func(typ, logical string, props map[string]any) cfnresource.Request {
		return cfnresource.Request{StackName: "stack", LogicalID: logical, Type: typ, Properties: props}
	}

	busReq := req("AWS::Events::EventBus", "Bus", map[string]any{"Name": "app"})
	bus, err := reg["AWS::Events::EventBus"].Create(ctx, busReq)
	if err != nil || bus.RefValue() != "app" || bus.Attributes["Arn"] != busARN("app") || bus.Attributes["Name"] != "app" {
		t.Fatalf("bus %+v %v", bus, err)
	}

	ruleReq := req("AWS::Events::Rule", "Done", map[string]any{
		"EventBusName": busARN("app"),
		"EventPattern": map[string]any{"detail-type": []any{"Done"}},
		"State":        "ENABLED",
		"Targets": []any{map[string]any{"Id": "fn", "Arn": fnARN,
			"InputTransformer": map[string]any{"InputPathsMap": map[string]any{"n": "$.detail.n"}, "InputTemplate": `{"n": <n>}`},
			"RetryPolicy":      map[string]any{"MaximumRetryAttempts": "4", "MaximumEventAgeInSeconds": 3600.0}}},
	})
	rule, err := reg["AWS::Events::Rule"].Create(ctx, ruleReq)
	if err != nil {
		t.Fatal(err)
	}
	name, ok := strings.CutPrefix(rule.RefValue(), "app|stack-Done-")
	if !ok || len(name) != 12 || rule.Attributes["Arn"] != ruleARN("app", "stack-Done-"+name) {
		t.Errorf("rule Ref %q, Arn %v", rule.RefValue(), rule.Attributes["Arn"])
	}
	e := entry("app", "Done", `{"n":7}`)
	e.EventBusName = aws.String("app")
	f.put(t, e)
	if got := recv(t, f.lambda.calls).Payload; got != `{"n": 7}` {
		t.Errorf("transformed payload %s", got)
	}
	targets, err := f.client.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String("stack-Done-" + name), EventBusName: aws.String("app")})
	if err != nil || *targets.Targets[0].RetryPolicy.MaximumRetryAttempts != 4 {
		t.Errorf("targets %+v %v", targets, err)
	}

	_, err = reg["AWS::Events::Rule"].Create(ctx, req("AWS::Events::Rule", "Bad", map[string]any{
		"Name": "bad", "EventPattern": map[string]any{"source": "app"}}))
	if err == nil || !strings.Contains(err.Error(), "Event pattern is not valid. Reason:") {
		t.Errorf("invalid pattern: %v", err)
	}

	defRule, err := reg["AWS::Events::Rule"].Create(ctx, req("AWS::Events::Rule", "Named", map[string]any{
		"Name": "named", "ScheduleExpression": "rate(5 minutes)"}))
	if err != nil || defRule.RefValue() != "named" {
		t.Errorf("default bus rule Ref %q %v", defRule.RefValue(), err)
	}

	archReq := req("AWS::Events::Archive", "Arch", map[string]any{"SourceArn": busARN("app"), "RetentionDays": "7"})
	arch, err := reg["AWS::Events::Archive"].Create(ctx, archReq)
	if err != nil || !strings.HasPrefix(arch.RefValue(), "stack-Arch-") || arch.Attributes["Arn"] != archiveARN(arch.RefValue()) {
		t.Errorf("archive %+v %v", arch, err)
	}

	polReq := req("AWS::Events::EventBusPolicy", "Pol", map[string]any{"EventBusName": "app", "StatementId": "allow",
		"Statement": map[string]any{"Effect": "Allow", "Principal": map[string]any{"AWS": "111122223333"}, "Action": "events:PutEvents", "Resource": busARN("app")}})
	pol, err := reg["AWS::Events::EventBusPolicy"].Create(ctx, polReq)
	if err != nil || pol.RefValue() != "allow" {
		t.Fatalf("policy %+v %v", pol, err)
	}
	d, _ := f.client.DescribeEventBus(ctx, &eventbridge.DescribeEventBusInput{Name: aws.String("app")})
	if d.Policy == nil || !strings.Contains(*d.Policy, `"Sid":"allow"`) {
		t.Errorf("bus policy %v", d.Policy)
	}

	for _, del := range []struct {
		typ string
		req cfnresource.Request
		res cfnresource.Resource
	}{
		{"AWS::Events::EventBusPolicy", polReq, pol}, {"AWS::Events::Archive", archReq, arch},
		{"AWS::Events::Rule", ruleReq, rule}, {"AWS::Events::EventBus", busReq, bus},
	} {
		if err := reg[del.typ].Delete(ctx, del.req, del.res); err != nil {
			t.Errorf("delete %s: %v", del.typ, err)
		}
	}
	_, err = f.client.DescribeEventBus(ctx, &eventbridge.DescribeEventBusInput{Name: aws.String("app")})
	apiError(t, err, "ResourceNotFoundException", "")
}
