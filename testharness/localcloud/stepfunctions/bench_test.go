package stepfunctions

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
)

// passChain is a definition of n Pass states in a row.
func passChain(n int) string {
	var b strings.Builder
	b.WriteString(`{"StartAt":"P0","States":{`)
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		if i == n-1 {
			fmt.Fprintf(&b, `"P%d":{"Type":"Pass","Result":%d,"ResultPath":"$.last","End":true}`, i, i)
		} else {
			fmt.Fprintf(&b, `"P%d":{"Type":"Pass","Result":%d,"ResultPath":"$.last","Next":"P%d"}`, i, i, i+1)
		}
	}
	b.WriteString("}}")
	return b.String()
}

// BenchmarkPassChain100 is StartExecution through the SDK until the
// execution of a 100-state Pass chain has SUCCEEDED.
func BenchmarkPassChain100(b *testing.B) {
	f := newFixture(b)
	smArn := f.create(b, "chain", passChain(100), "")
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		out, err := f.client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(smArn)})
		if err != nil {
			b.Fatal(err)
		}
		if r := f.wait(b, *out.ExecutionArn); r.Status != StatusSucceeded || r.Output != `{"last":99}` {
			b.Fatalf("result = %+v", r)
		}
	}
}

// BenchmarkConcurrentParallelTasks runs 1,000 executions at once of a
// Parallel state whose two branches each call a trivial Lambda.
func BenchmarkConcurrentParallelTasks(b *testing.B) {
	f := newFixture(b)
	f.lambda.handle = func(_ string, payload []byte) (LambdaResult, error) { return LambdaResult{Payload: payload}, nil }
	def := `{"StartAt":"Fan","States":{"Fan":{"Type":"Parallel","End":true,"Branches":[
	  {"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"a","Payload.$":"$"},"OutputPath":"$.Payload","End":true}}},
	  {"StartAt":"B","States":{"B":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:000000000000:function:b","End":true}}}]}}}`
	smArn := f.create(b, "fan", def, "")
	const n = 1000
	b.ResetTimer()
	for b.Loop() {
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				x, err := f.svc.StartExecution(context.Background(), &StartExecutionInput{StateMachineArn: smArn, Input: fmt.Sprintf(`{"i":%d}`, i)})
				if err != nil {
					errs <- err
					return
				}
				r, err := f.svc.WaitExecution(context.Background(), x.ExecutionArn)
				if err == nil && (r.Status != StatusSucceeded || r.Output != fmt.Sprintf(`[{"i":%d},{"i":%d}]`, i, i)) {
					err = fmt.Errorf("execution %d: %+v", i, r)
				}
				if err != nil {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n), "executions/op")
}
