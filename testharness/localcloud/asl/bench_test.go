package asl

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
)

// passChain builds a machine of n Pass states in a row.
func passChain(n int) string {
	var b strings.Builder
	b.WriteString(`{"StartAt":"S0","States":{`)
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		if i == n-1 {
			fmt.Fprintf(&b, `"S%d":{"Type":"Pass","End":true}`, i)
		} else {
			fmt.Fprintf(&b, `"S%d":{"Type":"Pass","ResultPath":"$.last","Result":%d,"Next":"S%d"}`, i, i, i+1)
		}
	}
	b.WriteString("}}")
	return b.String()
}

// Target: at most 5 ms per execution of a 100-state Pass chain.
func BenchmarkPassChain100(b *testing.B) {
	sm := mustParse(b, passChain(100))
	ex := NewExecutor(nil)
	input := []byte(`{"order":{"id":"o-1","items":[1,2,3]}}`)
	for b.Loop() {
		res, err := ex.Run(context.Background(), sm, input, RunOptions{})
		if err != nil || res.Status != StatusSucceeded {
			b.Fatalf("%v %+v", err, res)
		}
	}
}

// The same with a history sink attached (every event renders its payload).
func BenchmarkPassChain100WithHistory(b *testing.B) {
	sm := mustParse(b, passChain(100))
	ex := NewExecutor(nil)
	input := []byte(`{"order":{"id":"o-1","items":[1,2,3]}}`)
	for b.Loop() {
		res, err := ex.Run(context.Background(), sm, input, RunOptions{History: &HistoryRecorder{}})
		if err != nil || res.Status != StatusSucceeded {
			b.Fatalf("%v %+v", err, res)
		}
	}
}

const parallelTaskMachine = `{"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,"Branches":[
  {"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:a","End":true}}},
  {"StartAt":"B","States":{"B":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:b","Parameters":{"x.$":"$.x"},"End":true}}}]}}}`

// runConcurrentExecutions starts n executions at once and fails on any
// error or unexpected output.
func runConcurrentExecutions(tb testing.TB, n int) {
	sm := mustParse(tb, parallelTaskMachine)
	ex := NewExecutor(echoInvoker)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := ex.Run(context.Background(), sm, fmt.Appendf(nil, `{"x":%d}`, i), RunOptions{History: &HistoryRecorder{}})
			switch {
			case err != nil:
				errs <- err
			case res.Status != StatusSucceeded:
				errs <- fmt.Errorf("execution %d: %s %s", i, res.Error, res.Cause)
			case string(res.Output) != fmt.Sprintf(`[{"x":%d},{"x":%d}]`, i, i):
				errs <- fmt.Errorf("execution %d: output %s", i, res.Output)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		tb.Fatal(err)
	}
}

func TestThousandConcurrentExecutions(t *testing.T) {
	runConcurrentExecutions(t, 1000)
}

func BenchmarkThousandConcurrentParallelTaskExecutions(b *testing.B) {
	for b.Loop() {
		runConcurrentExecutions(b, 1000)
	}
}
