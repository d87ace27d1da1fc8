package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/tracebridge/tracebridge/testharness/localcloud"
)

func TestLocalFaultAddListClear(t *testing.T) {
	cloud := localcloud.RunT(t, localcloud.Options{})
	cli := func(args ...string) (int, string) {
		var out, errOut bytes.Buffer
		code := run(context.Background(), append(append([]string{"local", "fault"}, args...), "--endpoint", cloud.Endpoint()), &out, &errOut)
		return code, out.String() + errOut.String()
	}
	code, out := cli("add", "--service", "s3", "--operation", "s3:GetObject", "--resource", "uploads/*", "--count", "2")
	if code != 0 || strings.TrimSpace(out) != "fault-1" {
		t.Fatalf("add: %d %q", code, out)
	}
	if code, out = cli("add", "--service", "lambda", "--action", "kill", "--resource", "ImageFunction*"); code != 0 {
		t.Fatalf("add kill: %d %q", code, out)
	}
	if code, out = cli("add", "--service", "s3", "--action", "latency"); code != 1 || !strings.Contains(out, "positive latency") {
		t.Errorf("add latency without one: %d %q", code, out)
	}
	code, out = cli("list")
	if code != 0 || !strings.Contains(out, "fault-1  s3") || !strings.Contains(out, "error SlowDown 503") ||
		!strings.Contains(out, "fault-2  lambda") {
		t.Errorf("list: %d\n%s", code, out)
	}
	if code, out = cli("clear", "--id", "fault-1"); code != 0 || len(cloud.Faults().List()) != 1 {
		t.Errorf("clear --id: %d %q, left %+v", code, out, cloud.Faults().List())
	}
	if code, out = cli("clear"); code != 0 || len(cloud.Faults().List()) != 0 {
		t.Errorf("clear: %d %q, left %+v", code, out, cloud.Faults().List())
	}
	if code, _ = cli("explode"); code != 2 {
		t.Errorf("unknown subcommand exits %d, want 2", code)
	}
}
