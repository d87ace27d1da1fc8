package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud"
	"github.com/tracebridge/tracebridge/testharness/localcloud/faults"
)

// faultCmd is `tracebridge local fault add|list|clear`: the local cloud's
// fault API (localcloud.FaultsPath) at --endpoint.
func faultCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{"local fault: want add, list or clear"}
	}
	fs := flag.NewFlagSet("local fault "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	endpoint := fs.String("endpoint", "http://"+localcloud.DefaultAddr, "the local cloud's endpoint")
	var spec faults.Spec
	var latency time.Duration
	var id string
	switch args[0] {
	case "add":
		fs.StringVar(&spec.Service, "service", "", "service the fault hits (s3, dynamodb, lambda, events, logs, …); required")
		fs.StringVar(&spec.Operation, "operation", "", "IAM action it hits (s3:GetObject); any when empty")
		fs.StringVar(&spec.Resource, "resource", "", "resource ARN or name pattern (* and ?); any when empty")
		fs.StringVar(&spec.Principal, "principal", "", "role ARN or name pattern of the callers it hits")
		fs.StringVar((*string)(&spec.Action), "action", string(faults.Error), "error, latency, for Lambda fail, timeout, kill, for EventBridge entry-error")
		fs.StringVar(&spec.ErrorCode, "code", "", "AWS error code (the service's throttling error by default)")
		fs.IntVar(&spec.StatusCode, "status", 0, "HTTP status of the error")
		fs.StringVar(&spec.Message, "message", "", "error message")
		fs.DurationVar(&latency, "latency", 0, "delay of a latency fault")
		fs.Float64Var(&spec.Probability, "probability", 0, "chance a matching request is hit (0: every one)")
		fs.IntVar(&spec.Count, "count", 0, "hit only the next N matching requests (0: no limit)")
	case "clear":
		fs.StringVar(&id, "id", "", "remove only this fault")
	case "list":
	default:
		return usageError{fmt.Sprintf("local fault %s: want add, list or clear", args[0])}
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	url := strings.TrimSuffix(*endpoint, "/") + localcloud.FaultsPath
	switch args[0] {
	case "add":
		spec.Latency = faults.Duration(latency)
		body, _ := json.Marshal(spec)
		var added faults.Fault
		if err := callFaultAPI(ctx, http.MethodPost, url, body, &added); err != nil {
			return err
		}
		fmt.Fprintln(stdout, added.ID)
	case "list":
		var list localcloud.FaultList
		if err := callFaultAPI(ctx, http.MethodGet, url, nil, &list); err != nil {
			return err
		}
		printFaults(stdout, list.Faults)
	case "clear":
		if id != "" {
			url += "/" + id
		}
		return callFaultAPI(ctx, http.MethodDelete, url, nil, nil)
	}
	return nil
}

// callFaultAPI sends one request to the fault API and decodes its JSON
// answer into out (when not nil); an error status returns its message.
func callFaultAPI(ctx context.Context, method, url string, body []byte, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("fault API: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("fault API at %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		var e struct{ Message string }
		_ = json.NewDecoder(resp.Body).Decode(&e)
		return fmt.Errorf("fault API: %s: %s", resp.Status, e.Message)
	}
	if out == nil {
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("fault API: decode the answer: %w", err)
	}
	return nil
}

func printFaults(w io.Writer, list []faults.Fault) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSERVICE\tOPERATION\tRESOURCE\tPRINCIPAL\tACTION\tPROBABILITY\tCOUNT\tHITS")
	for _, f := range list {
		action := string(f.Action)
		switch f.Action {
		case faults.Error:
			action = fmt.Sprintf("error %s %d", f.ErrorCode, f.StatusCode)
		case faults.Latency:
			action = "latency " + time.Duration(f.Latency).String()
		case faults.EntryError:
			action = "entry-error " + f.ErrorCode
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%g\t%d\t%d\n", f.ID, f.Service, orAny(f.Operation),
			orAny(f.Resource), orAny(f.Principal), action, f.Probability, f.Count, f.Hits)
	}
	tw.Flush()
}

func orAny(s string) string {
	if s == "" {
		return "*"
	}
	return s
}
