// Command testfn is the handler program the lambda package's tests run
// through the Runtime API. The payload's "action" picks what an invocation
// does, an SQS event's message bodies what its batch response says;
// INIT_MODE makes the init phase fail.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

type request struct {
	Action  string `json:"action"`
	SleepMs int    `json:"sleepMs"`
	Message string `json:"message"`
	// Barrier and Parties: the "barrier" action marks its arrival in the
	// Barrier folder and returns once Parties invocations have arrived.
	Barrier string `json:"barrier"`
	Parties int    `json:"parties"`
}

type response struct {
	PID       int               `json:"pid"`
	RequestID string            `json:"requestId"`
	TraceID   string            `json:"traceId"`
	Env       map[string]string `json:"env"`
	Message   string            `json:"message"`
}

// sqsEvent is the part of an SQS event the "Records" path reads.
type sqsEvent struct {
	Records []struct {
		MessageID string `json:"messageId"`
		Body      string `json:"body"`
	} `json:"Records"`
}

// route hands an SQS event (an event source mapping's batch) to
// handleBatch and anything else to handle.
func route(ctx context.Context, raw json.RawMessage) (any, error) {
	var batch sqsEvent
	if json.Unmarshal(raw, &batch) == nil && batch.Records != nil {
		return handleBatch(raw, batch)
	}
	var req request
	if err := json.Unmarshal(raw, &req); err != nil {
		return nil, err
	}
	return handle(ctx, req)
}

// handleBatch logs the event as one line ("sqs event {…}") and answers
// with a partial batch response: a message whose body is "fail" is a
// failed item, "bad-id" a failed item with an empty identifier, and
// "error" fails the whole invocation.
func handleBatch(raw json.RawMessage, batch sqsEvent) (any, error) {
	var compact bytes.Buffer
	if err := json.Compact(&compact, raw); err != nil {
		return nil, err
	}
	fmt.Printf("sqs event %s\n", compact.Bytes())
	type item struct {
		ItemIdentifier string `json:"itemIdentifier"`
	}
	failures := []item{}
	for _, r := range batch.Records {
		switch r.Body {
		case "error":
			return nil, errors.New("batch failed on message " + r.MessageID)
		case "fail":
			failures = append(failures, item{r.MessageID})
		case "bad-id":
			failures = append(failures, item{""})
		}
	}
	return map[string]any{"batchItemFailures": failures}, nil
}

func handle(ctx context.Context, req request) (response, error) {
	fmt.Printf("handling %s\n", req.Action)
	switch req.Action {
	case "panic":
		panic("handler panicked: " + req.Message)
	case "exit":
		os.Exit(3)
	case "error":
		return response{}, errors.New(req.Message)
	case "sleep":
		time.Sleep(time.Duration(req.SleepMs) * time.Millisecond)
	case "barrier":
		if err := await(req.Barrier, req.Parties); err != nil {
			return response{}, err
		}
	}
	lc, _ := lambdacontext.FromContext(ctx)
	env := map[string]string{}
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	trace, _ := ctx.Value("x-amzn-trace-id").(string)
	return response{PID: os.Getpid(), RequestID: lc.AwsRequestID, TraceID: trace, Env: env, Message: req.Message}, nil
}

// await marks this process's arrival at a barrier folder and waits until
// parties processes have arrived: invocations that must overlap.
func await(dir string, parties int) error {
	if err := os.WriteFile(filepath.Join(dir, strconv.Itoa(os.Getpid())), nil, 0o644); err != nil {
		return err
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return err
		}
		if len(entries) >= parties {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("barrier: %d of %d invocations arrived", len(entries), parties)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func main() {
	switch os.Getenv("INIT_MODE") {
	case "error":
		url := "http://" + os.Getenv("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime/init/error"
		body := `{"errorMessage":"config missing","errorType":"Runtime.InitError"}`
		resp, err := http.Post(url, "application/json", strings.NewReader(body))
		if err == nil {
			resp.Body.Close()
		}
		os.Exit(1)
	case "exit":
		fmt.Fprintln(os.Stderr, "init failed, exiting")
		os.Exit(2)
	}
	lambda.Start(route)
}
