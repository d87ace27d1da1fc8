package stepfunctions

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

func TestHistoryPagingAndData(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	r := f.run(t, f.create(t, "hist", `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Pass","End":true}}}`, ""), `{"secret":1}`)
	all := f.historyTypes(t, r.ExecutionArn)
	var got []string
	var token *string
	for {
		page, err := f.client.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(r.ExecutionArn),
			MaxResults: 2, NextToken: token, ReverseOrder: true, IncludeExecutionData: aws.Bool(false)})
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range page.Events {
			got = append(got, string(ev.Type))
			if d := ev.ExecutionStartedEventDetails; d != nil && d.Input != nil {
				t.Fatalf("includeExecutionData=false returned input %q", *d.Input)
			}
		}
		if token = page.NextToken; token == nil {
			break
		}
	}
	if len(got) != len(all) || got[0] != all[len(all)-1] || got[len(got)-1] != all[0] {
		t.Fatalf("reverse pages = %v, history %v", got, all)
	}
	_, err := f.client.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(r.ExecutionArn), NextToken: aws.String("garbage")})
	wantAPIError(t, err, "InvalidToken", "Invalid Token")
}

func TestListExecutionsFilterAndPaging(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ok := f.create(t, "mixed", `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.fail","BooleanEquals":true,"Next":"F"}],"Default":"S"},
	  "F":{"Type":"Fail","Error":"E"},"S":{"Type":"Succeed"}}}`, "")
	for _, in := range []string{`{"fail":false}`, `{"fail":true}`, `{"fail":false}`} {
		f.run(t, ok, in)
	}
	out, err := f.client.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(ok), StatusFilter: types.ExecutionStatusSucceeded, MaxResults: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Executions) != 1 || out.NextToken == nil || out.Executions[0].Status != types.ExecutionStatusSucceeded {
		t.Fatalf("page 1 = %+v", out)
	}
	next, err := f.client.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(ok), StatusFilter: types.ExecutionStatusSucceeded, NextToken: out.NextToken})
	if err != nil || len(next.Executions) != 1 || next.NextToken != nil || *next.Executions[0].ExecutionArn == *out.Executions[0].ExecutionArn {
		t.Fatalf("page 2 = %+v, %v", next, err)
	}
	failed, err := f.client.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(ok), StatusFilter: types.ExecutionStatusFailed})
	if err != nil || len(failed.Executions) != 1 {
		t.Fatalf("failed = %+v, %v", failed, err)
	}
}

func TestCloseAbortsRunningExecutions(t *testing.T) {
	f := newFixture(t)
	toks := tokens(f)
	done := make(chan ExecutionResult, 1)
	f.svc.OnExecutionDone(func(r ExecutionResult) { done <- r })
	out, err := f.client.StartExecution(context.Background(), &sfn.StartExecutionInput{StateMachineArn: aws.String(f.create(t, "held", def(""), ""))})
	if err != nil {
		t.Fatal(err)
	}
	receive(t, toks)
	f.svc.Close()
	var r ExecutionResult
	select {
	case r = <-done:
	default:
		t.Fatal("Close returned before the execution ended")
	}
	if r.ExecutionArn != *out.ExecutionArn || r.Status != StatusAborted {
		t.Fatalf("result = %+v", r)
	}
}
