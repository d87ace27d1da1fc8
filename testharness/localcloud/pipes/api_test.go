package pipes

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/pipes"
	"github.com/aws/aws-sdk-go-v2/service/pipes/types"
	"github.com/aws/smithy-go"

	"github.com/tracebridge/tracebridge/testharness/localcloud/activity"
	"github.com/tracebridge/tracebridge/testharness/localcloud/cfnresource"
)

func apiCode(t *testing.T, err error) (string, string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v is not an API error", err)
	}
	return ae.ErrorCode(), ae.ErrorMessage()
}

func TestCreateDescribeListThroughSDK(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	out, err := f.client.CreatePipe(ctx, &pipes.CreatePipeInput{
		Name: aws.String("sdk-pipe"), RoleArn: aws.String(roleARN), Source: &f.streamARN, Target: aws.String(fnARN),
		SourceParameters: &types.PipeSourceParameters{
			DynamoDBStreamParameters: &types.PipeSourceDynamoDBStreamParameters{StartingPosition: types.DynamoDBStreamStartPositionLatest, BatchSize: aws.Int32(5)},
			FilterCriteria:           &types.FilterCriteria{Filters: []types.Filter{{Pattern: aws.String(appFilter(t))}}},
		},
		TargetParameters: &types.PipeTargetParameters{LambdaFunctionParameters: &types.PipeTargetLambdaFunctionParameters{InvocationType: types.PipeTargetInvocationTypeRequestResponse}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if out.CurrentState != types.PipeStateRunning || *out.Arn != "arn:aws:pipes:us-east-1:000000000000:pipe/sdk-pipe" {
		t.Errorf("CreatePipe = %s %s", out.CurrentState, *out.Arn)
	}
	stopped := f.spec("other")
	stopped.DesiredState = StateStopped
	f.create(t, stopped)

	d, err := f.client.DescribePipe(ctx, &pipes.DescribePipeInput{Name: aws.String("sdk-pipe")})
	if err != nil {
		t.Fatal(err)
	}
	if *d.Source != f.streamARN || *d.RoleArn != roleARN || d.DesiredState != types.RequestedPipeStateDescribeResponseRunning ||
		*d.SourceParameters.DynamoDBStreamParameters.BatchSize != 5 || *d.SourceParameters.FilterCriteria.Filters[0].Pattern != appFilter(t) ||
		d.TargetParameters.LambdaFunctionParameters.InvocationType != types.PipeTargetInvocationTypeRequestResponse ||
		!d.CreationTime.Equal(epoch) {
		t.Errorf("DescribePipe = %+v", d)
	}

	names := func(in *pipes.ListPipesInput) []string {
		t.Helper()
		l, err := f.client.ListPipes(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		var n []string
		for _, p := range l.Pipes {
			n = append(n, *p.Name)
		}
		if l.NextToken != nil {
			n = append(n, "next:"+*l.NextToken)
		}
		return n
	}
	if got := names(&pipes.ListPipesInput{}); !slices.Equal(got, []string{"other", "sdk-pipe"}) {
		t.Errorf("ListPipes = %v", got)
	}
	if got := names(&pipes.ListPipesInput{NamePrefix: aws.String("sdk")}); !slices.Equal(got, []string{"sdk-pipe"}) {
		t.Errorf("NamePrefix = %v", got)
	}
	if got := names(&pipes.ListPipesInput{CurrentState: types.PipeStateStopped}); !slices.Equal(got, []string{"other"}) {
		t.Errorf("CurrentState STOPPED = %v", got)
	}
	if got := names(&pipes.ListPipesInput{SourcePrefix: aws.String("arn:aws:sqs")}); len(got) != 0 {
		t.Errorf("SourcePrefix sqs = %v", got)
	}
	if got := names(&pipes.ListPipesInput{Limit: aws.Int32(1)}); !slices.Equal(got, []string{"other", "next:sdk-pipe"}) {
		t.Errorf("Limit 1 = %v", got)
	}
	if got := names(&pipes.ListPipesInput{Limit: aws.Int32(1), NextToken: aws.String("sdk-pipe")}); !slices.Equal(got, []string{"sdk-pipe"}) {
		t.Errorf("second page = %v", got)
	}

	_, err = f.client.DescribePipe(ctx, &pipes.DescribePipeInput{Name: aws.String("missing")})
	if code, msg := apiCode(t, err); code != "NotFoundException" || msg != "Pipe missing does not exist." {
		t.Errorf("DescribePipe missing = %s %q", code, msg)
	}
	_, err = f.client.CreatePipe(ctx, &pipes.CreatePipeInput{Name: aws.String("other"), RoleArn: aws.String(roleARN), Source: &f.streamARN, Target: aws.String(fnARN),
		SourceParameters: &types.PipeSourceParameters{DynamoDBStreamParameters: &types.PipeSourceDynamoDBStreamParameters{StartingPosition: types.DynamoDBStreamStartPositionLatest}}})
	if code, _ := apiCode(t, err); code != "ConflictException" {
		t.Errorf("duplicate CreatePipe = %s", code)
	}
	if _, err := f.client.DeletePipe(ctx, &pipes.DeletePipeInput{Name: aws.String("other")}); err != nil {
		t.Fatal(err)
	}
	if got := names(&pipes.ListPipesInput{}); !slices.Equal(got, []string{"sdk-pipe"}) {
		t.Errorf("after DeletePipe = %v", got)
	}
}

func TestStopPipeStopsDelivery(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.create(t, f.spec("stoppable"))
	f.write(t, "INSERT", "A")
	f.next(t)
	// Stop once A is done with (the pipe idles, caught up): a stop while
	// its invocation is in flight would deliver it again on start.
	if err := f.svc.opts.Activity.WaitSettled(ctx, activity.Settle{}); err != nil {
		t.Fatal(err)
	}

	out, err := f.client.StopPipe(ctx, &pipes.StopPipeInput{Name: aws.String("stoppable")})
	if err != nil {
		t.Fatal(err)
	}
	if out.DesiredState != types.RequestedPipeStateStopped {
		t.Errorf("StopPipe desired %s", out.DesiredState)
	}
	f.svc.mu.Lock()
	done := f.svc.pipes["stoppable"].done
	f.svc.mu.Unlock()
	<-done // the delivery loop has ended
	if d, _ := f.svc.DescribePipe("stoppable"); d.CurrentState != StateStopped {
		t.Errorf("CurrentState after stop %s", d.CurrentState)
	}
	f.write(t, "INSERT", "B")
	f.noInvocation(t)

	started, err := f.client.StartPipe(ctx, &pipes.StartPipeInput{Name: aws.String("stoppable")})
	if err != nil {
		t.Fatal(err)
	}
	if started.CurrentState != types.PipeStateRunning {
		t.Errorf("StartPipe state %s", started.CurrentState)
	}
	if got := pks(t, f.next(t)); !slices.Equal(got, []string{"B"}) {
		t.Fatalf("after start %v, want [B]", got)
	}
}

func TestInvalidPipesFailWithReasons(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	cases := map[string]struct {
		mutate func(*Spec)
		want   string
	}{
		"sqs source": {func(s *Spec) {
			s.Source = "arn:aws:sqs:us-east-1:000000000000:q"
		}, "Pipe bad: source \"arn:aws:sqs:us-east-1:000000000000:q\" (only DynamoDB stream sources run) is not supported locally"},
		"bad filter": {func(s *Spec) {
			s.SourceParameters.FilterCriteria = &FilterCriteria{Filters: []Filter{{Pattern: `{"eventName":[]}`}}}
		}, "Event pattern is not valid. Reason: Empty arrays are not allowed"},
		"batch size":     {func(s *Spec) { s.SourceParameters.DynamoDBStreamParameters.BatchSize = ptr(Int(0)) }, "batchSize"},
		"position":       {func(s *Spec) { s.SourceParameters.DynamoDBStreamParameters.StartingPosition = "AT_TIMESTAMP" }, "startingPosition"},
		"sns target":     {func(s *Spec) { s.Target = "arn:aws:sns:us-east-1:000000000000:t" }, "is not supported locally"},
		"unknown stream": {func(s *Spec) { s.Source = f.streamARN + "0" }, "Requested resource not found"},
		"bus batch":      {func(s *Spec) { s.Target = busARN }, "batch size 100 is above the maximum of 10"},
	}
	for name, tc := range cases {
		s := f.spec("bad")
		tc.mutate(&s)
		_, err := f.svc.CreatePipe(ctx, s)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want it to contain %q", name, err, tc.want)
		}
	}
	if len(f.svc.ListPipes(ListFilter{})) != 0 {
		t.Error("a failed CreatePipe left a pipe")
	}
}

func TestProvisionerCreatesRunningPipe(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	prov := f.svc.Provisioners()["AWS::Pipes::Pipe"]
	props := map[string]any{
		"RoleArn": roleARN, "Source": f.streamARN, "Target": fnARN,
		"SourceParameters": map[string]any{
			"DynamoDBStreamParameters": map[string]any{"StartingPosition": "TRIM_HORIZON", "BatchSize": "10", "MaximumBatchingWindowInSeconds": 0.0, "MaximumRetryAttempts": 3.0},
			"FilterCriteria":           map[string]any{"Filters": []any{map[string]any{"Pattern": appFilter(t)}}},
		},
		"TargetParameters": map[string]any{"LambdaFunctionParameters": map[string]any{"InvocationType": "REQUEST_RESPONSE"}},
	}
	req := cfnresource.Request{StackName: "App", LogicalID: "Pipe", Type: "AWS::Pipes::Pipe", Properties: props}
	res, err := prov.Create(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(res.RefValue(), "App-Pipe-") || res.Attributes["Arn"] != "arn:aws:pipes:us-east-1:000000000000:pipe/"+res.RefValue() ||
		res.Attributes["CurrentState"] != StateRunning || res.Attributes["CreationTime"] != "2025-03-01T12:00:00Z" {
		t.Errorf("resource %+v", res)
	}
	f.write(t, "INSERT", "USER#1")
	if got := pks(t, f.next(t)); !slices.Equal(got, []string{"USER#1"}) {
		t.Fatalf("delivered %v", got)
	}
	if err := prov.Delete(ctx, req, res); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.DescribePipe(res.PhysicalID); err == nil {
		t.Error("pipe survived Delete")
	}

	props["Source"] = "arn:aws:kinesis:us-east-1:000000000000:stream/s"
	props["Name"] = "kinesis-pipe"
	if _, err := prov.Create(ctx, req); err == nil || !strings.Contains(err.Error(), "Pipe kinesis-pipe") || !strings.Contains(err.Error(), "not supported locally") {
		t.Errorf("kinesis source: %v", err)
	}
}
