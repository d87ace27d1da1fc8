package eventbridge

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
)

func TestRuleLifecycleAndErrors(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for i := range 5 {
		f.rule(t, "default", fmt.Sprintf("app-%d", i), `{"source":["app"]}`, types.Target{})
	}
	f.rule(t, "default", "other", `{"source":["x"]}`, types.Target{})

	var names []string
	var token *string
	for {
		page, err := f.client.ListRules(ctx, &eventbridge.ListRulesInput{NamePrefix: aws.String("app-"), Limit: aws.Int32(2), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Rules {
			names = append(names, *r.Name)
		}
		if token = page.NextToken; token == nil {
			break
		}
	}
	if fmt.Sprint(names) != "[app-0 app-1 app-2 app-3 app-4]" {
		t.Errorf("paged rules %v", names)
	}

	d, err := f.client.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("other")})
	if err != nil || *d.EventPattern != `{"source":["x"]}` || d.State != types.RuleStateEnabled || *d.EventBusName != "default" {
		t.Errorf("DescribeRule %+v %v", d, err)
	}
	_, err = f.client.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("nope")})
	apiError(t, err, "ResourceNotFoundException", "Rule nope does not exist on EventBus default.")
	_, err = f.client.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("r"), EventBusName: aws.String("nope"), EventPattern: aws.String(`{"source":["a"]}`)})
	apiError(t, err, "ResourceNotFoundException", "Event bus nope does not exist.")
	_, err = f.client.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("r"), EventPattern: aws.String(`{"source":[]}`)})
	apiError(t, err, "InvalidEventPatternException", "Event pattern is not valid. Reason: Empty arrays are not allowed")
	_, err = f.client.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("r")})
	apiError(t, err, "ValidationException", "Parameter(s) EventPattern or ScheduleExpression must be specified.")

	f.rule(t, "default", "t", `{"source":["a"]}`, lambdaTarget("fn"))
	_, err = f.client.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: aws.String("t")})
	apiError(t, err, "ValidationException", "Rule can't be deleted since it has targets.")
	byTarget, err := f.client.ListRuleNamesByTarget(ctx, &eventbridge.ListRuleNamesByTargetInput{TargetArn: aws.String(fnARN)})
	if err != nil || fmt.Sprint(byTarget.RuleNames) != "[t]" {
		t.Errorf("ListRuleNamesByTarget %v %v", byTarget, err)
	}
	if _, err := f.client.RemoveTargets(ctx, &eventbridge.RemoveTargetsInput{Rule: aws.String("t"), Ids: []string{"fn"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.client.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: aws.String("t")}); err != nil {
		t.Fatalf("DeleteRule without targets: %v", err)
	}
}

func TestTargetsListAndLimit(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.rule(t, "default", "r", `{"source":["a"]}`, types.Target{})
	var targets []types.Target
	for i := range MaxTargetsPerRule {
		targets = append(targets, types.Target{Id: aws.String(fmt.Sprint("t", i)), Arn: aws.String(fnARN),
			RetryPolicy: &types.RetryPolicy{MaximumRetryAttempts: aws.Int32(3)}})
	}
	if _, err := f.client.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("r"), Targets: targets}); err != nil {
		t.Fatal(err)
	}
	_, err := f.client.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("r"),
		Targets: []types.Target{{Id: aws.String("sixth"), Arn: aws.String(fnARN)}}})
	apiError(t, err, "LimitExceededException", "")
	list, err := f.client.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String("r")})
	if err != nil || len(list.Targets) != MaxTargetsPerRule || *list.Targets[4].Id != "t4" || *list.Targets[0].RetryPolicy.MaximumRetryAttempts != 3 {
		t.Errorf("ListTargetsByRule %+v %v", list, err)
	}
	_, err = f.client.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("r"),
		Targets: []types.Target{{Id: aws.String("t0"), Arn: aws.String(fnARN), RetryPolicy: &types.RetryPolicy{MaximumRetryAttempts: aws.Int32(186)}}}})
	apiError(t, err, "ValidationException", "")
}

func TestTestEventPattern(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	event := `{"id":"1","account":"000000000000","source":"app","time":"2024-05-01T12:00:00Z","region":"us-east-1","resources":[],"detail-type":"T","detail":{"n":5}}`
	for pattern, want := range map[string]bool{
		`{"source":["app"],"detail":{"n":[{"numeric":[">",4]}]}}`: true,
		`{"source":["app"],"detail":{"n":[{"numeric":[">",5]}]}}`: false,
	} {
		out, err := f.client.TestEventPattern(ctx, &eventbridge.TestEventPatternInput{EventPattern: aws.String(pattern), Event: aws.String(event)})
		if err != nil || out.Result != want {
			t.Errorf("%s: %v %v, want %v", pattern, out, err, want)
		}
	}
	_, err := f.client.TestEventPattern(ctx, &eventbridge.TestEventPatternInput{EventPattern: aws.String(`{"source":"app"}`), Event: aws.String(event)})
	apiError(t, err, "InvalidEventPatternException", "")
	_, err = f.client.TestEventPattern(ctx, &eventbridge.TestEventPatternInput{EventPattern: aws.String(`{"source":["app"]}`),
		Event: aws.String(`{"source":"app","detail-type":"T","detail":{}}`)})
	apiError(t, err, "ValidationException", "Parameter Event is not valid.")
}

func TestEventBusesAndPermissions(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.client.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("b")}); err != nil {
		t.Fatal(err)
	}
	_, err := f.client.PutPermission(ctx, &eventbridge.PutPermissionInput{EventBusName: aws.String("b"),
		StatementId: aws.String("s1"), Action: aws.String("events:PutEvents"), Principal: aws.String("111122223333")})
	if err != nil {
		t.Fatal(err)
	}
	d, err := f.client.DescribeEventBus(ctx, &eventbridge.DescribeEventBusInput{Name: aws.String("arn:aws:events:us-east-1:000000000000:event-bus/b")})
	if err != nil || *d.Name != "b" || d.Policy == nil || !strings.Contains(*d.Policy, `"Sid":"s1"`) {
		t.Fatalf("DescribeEventBus %+v %v", d, err)
	}
	list, err := f.client.ListEventBuses(ctx, &eventbridge.ListEventBusesInput{})
	if err != nil || len(list.EventBuses) != 2 || *list.EventBuses[0].Name != "b" || *list.EventBuses[1].Name != "default" {
		t.Errorf("ListEventBuses %+v %v", list, err)
	}
	f.rule(t, "b", "r", `{"source":["a"]}`, types.Target{})
	_, err = f.client.DeleteEventBus(ctx, &eventbridge.DeleteEventBusInput{Name: aws.String("default")})
	apiError(t, err, "ValidationException", "Cannot delete event bus default.")
	_, err = f.client.DescribeEventBus(ctx, &eventbridge.DescribeEventBusInput{Name: aws.String("zzz")})
	apiError(t, err, "ResourceNotFoundException", "Event bus zzz does not exist.")
}
