package asl

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/clock"
)

// staticInvoker answers every task with the same result and records the
// inputs it was given.
type staticInvoker struct {
	result json.RawMessage
	inputs chan json.RawMessage
}

func (s *staticInvoker) InvokeTask(_ context.Context, req *TaskRequest) (json.RawMessage, error) {
	if s.inputs != nil {
		s.inputs <- req.Input
	}
	return s.result, nil
}

func mustParse(t testing.TB, def string) *StateMachine {
	t.Helper()
	sm, err := Parse([]byte(def))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return sm
}

// run executes def on a fake clock that jumps over every wait.
func run(t testing.TB, inv TaskInvoker, def, input string, opts RunOptions) *Result {
	t.Helper()
	clk := clock.NewFake(time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	go clk.AutoAdvance(ctx)
	ex := NewExecutor(inv, WithClock(clk))
	res, err := ex.Run(ctx, mustParse(t, def), []byte(input), opts)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return res
}

// assertJSON compares JSON texts after parsing both.
func assertJSON(t testing.TB, got json.RawMessage, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("output %s is not JSON: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad expectation %s: %v", want, err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Fatalf("output\n got %s\nwant %s", got, want)
	}
}

func assertSucceeded(t testing.TB, res *Result, want string) {
	t.Helper()
	if res.Status != StatusSucceeded {
		t.Fatalf("status %s (%s: %s), want SUCCEEDED", res.Status, res.Error, res.Cause)
	}
	assertJSON(t, res.Output, want)
}

func assertFailed(t testing.TB, res *Result, wantError string) {
	t.Helper()
	if res.Status != StatusFailed || res.Error != wantError {
		t.Fatalf("got %s %s (%s), want FAILED %s", res.Status, res.Error, res.Cause, wantError)
	}
}
