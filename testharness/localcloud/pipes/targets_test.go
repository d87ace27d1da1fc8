package pipes

import (
	"encoding/json"
	"slices"
	"testing"
	"time"
)

func TestEventBusTarget(t *testing.T) {
	f := newFixture(t)
	f.write(t, "INSERT", "USER#1")
	s := f.spec("to-bus")
	s.Target = busARN
	s.SourceParameters.DynamoDBStreamParameters.BatchSize = ptr(Int(10))
	s.TargetParameters = &TargetParameters{EventBridgeEventBusParameters: &EventBridgeEventBusParameters{DetailType: "UserChanged", Source: "app.users"}}
	f.create(t, s)
	select {
	case entries := <-f.events.put:
		e := entries[0]
		var detail map[string]any
		if err := json.Unmarshal([]byte(e.Detail), &detail); err != nil {
			t.Fatal(err)
		}
		if len(entries) != 1 || e.EventBusName != busARN || e.Source != "app.users" || e.DetailType != "UserChanged" || pkOf(detail) != "USER#1" {
			t.Errorf("entries %+v", entries)
		}
	case <-time.After(deadline):
		t.Fatal("no PutEvents")
	}
}

func TestStateMachineTargetAndInputTemplate(t *testing.T) {
	f := newFixture(t)
	f.write(t, "INSERT", "USER#1")
	f.write(t, "INSERT", "USER#2")
	s := f.spec("to-sfn")
	s.Target = smARN
	s.TargetParameters = &TargetParameters{
		InputTemplate:                      `{"pk": "<$.dynamodb.Keys.PK.S>", "keys": <$.dynamodb.Keys>, "pipe": "<aws.pipes.pipe-name>"}`,
		StepFunctionStateMachineParameters: &InvocationParameters{InvocationType: "FIRE_AND_FORGET"},
	}
	f.create(t, s)
	select {
	case c := <-f.exec.calls:
		var got []map[string]any
		if err := json.Unmarshal(c.payload, &got); err != nil {
			t.Fatalf("input %s: %v", c.payload, err)
		}
		var pks []string
		for _, g := range got {
			pks = append(pks, g["pk"].(string))
			if g["pipe"] != "to-sfn" || g["keys"].(map[string]any)["SK"] == nil {
				t.Errorf("transformed item %v", g)
			}
		}
		if !c.async || c.arn != smARN || !slices.Equal(pks, []string{"USER#1", "USER#2"}) {
			t.Errorf("execution %s async=%v input %s", c.arn, c.async, c.payload)
		}
	case <-time.After(deadline):
		t.Fatal("no StartExecution")
	}
}

func TestEnrichmentOutputReplacesBatch(t *testing.T) {
	f := newFixture(t)
	const enrichARN = "arn:aws:lambda:us-east-1:000000000000:function:enrich"
	f.functions.respond = func(payload []byte) InvokeResult {
		var recs []map[string]any
		if json.Unmarshal(payload, &recs) == nil && len(recs) > 0 && recs[0]["eventID"] != nil {
			return InvokeResult{Payload: []byte(`[{"enriched":1},{"enriched":2},{"enriched":3}]`)}
		}
		return InvokeResult{Payload: []byte(`null`)}
	}
	f.write(t, "INSERT", "USER#1")
	s := f.spec("enriched")
	s.Enrichment = enrichARN
	f.create(t, s)
	if c := f.next(t); c.arn != enrichARN {
		t.Fatalf("first call to %s, want the enrichment", c.arn)
	}
	c := f.next(t)
	if c.arn != fnARN || string(c.payload) != `[{"enriched":1},{"enriched":2},{"enriched":3}]` {
		t.Errorf("target got %s: %s", c.arn, c.payload)
	}
}

func TestFireAndForgetLambda(t *testing.T) {
	f := newFixture(t)
	f.write(t, "INSERT", "USER#1")
	s := f.spec("async")
	s.TargetParameters = &TargetParameters{LambdaFunctionParameters: &InvocationParameters{InvocationType: "FIRE_AND_FORGET"}}
	f.create(t, s)
	if c := f.next(t); !c.async || len(batch(t, c)) != 1 {
		t.Errorf("call async=%v payload %s", c.async, c.payload)
	}
}
