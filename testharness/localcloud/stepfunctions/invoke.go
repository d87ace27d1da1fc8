package stepfunctions

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/tracebridge/tracebridge/testharness/localcloud/asl"
	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
	"github.com/tracebridge/tracebridge/testharness/localcloud/identity"
)

// task is one Task state attempt on its way to an integration.
type task struct {
	req *asl.TaskRequest
	x   *execution
	// pattern is the integration pattern suffix: "", ".sync", ".sync:2"
	// or ".waitForTaskToken".
	pattern string
	// traceHeader is what the integration passes on (X-Amzn-Trace-Id).
	traceHeader string
}

// invokeTask is the executor's TaskInvoker: it runs the task as the
// execution's role session and routes it by its Resource.
func (s *Service) invokeTask(ctx context.Context, req *asl.TaskRequest) (json.RawMessage, error) {
	s.mu.Lock()
	x := s.executions[req.ExecutionArn]
	if req.TaskToken != "" {
		s.tokens[req.TaskToken] = req.ExecutionArn
	}
	s.mu.Unlock()
	if x == nil {
		return nil, &asl.StatesError{Name: asl.StatesRuntime, Cause: "unknown execution " + req.ExecutionArn}
	}
	ctx = identity.NewContext(ctx, x.principal)
	segmentID, header := x.trace.taskHeader()
	start := s.clock.Now()
	out, err := s.route(ctx, &task{req: req, x: x, traceHeader: header})
	if segmentID != "" {
		seg := TaskSegment{SegmentID: segmentID, StateName: req.StateName, Resource: req.Resource, Start: start, End: s.clock.Now()}
		var se *asl.StatesError
		if errors.As(err, &se) {
			seg.Error = se.Name
		} else if err != nil {
			seg.Error = asl.StatesTaskFailed
		}
		x.trace.addTask(seg)
	}
	return out, err
}

// patterns are the integration pattern suffixes of a Resource, longest
// first.
var patterns = []string{".waitForTaskToken", ".sync:2", ".sync"}

// route picks the integration of a task's Resource.
func (s *Service) route(ctx context.Context, t *task) (json.RawMessage, error) {
	resource := t.req.Resource
	for _, p := range patterns {
		if r, ok := strings.CutSuffix(resource, p); ok {
			resource, t.pattern = r, p
			break
		}
	}
	if strings.HasPrefix(resource, "arn:aws:lambda:") {
		return s.invokeFunction(ctx, t, resource)
	}
	rest, ok := strings.CutPrefix(resource, "arn:aws:states:::")
	if !ok {
		return nil, unsupported("Resource %s is not an integration the local cloud runs (activities are not supported)", t.req.Resource)
	}
	service, action, _ := strings.Cut(rest, ":")
	switch {
	case service == "lambda" && action == "invoke":
		return s.lambdaInvoke(ctx, t)
	case service == "events" && action == "putEvents":
		return s.putEvents(ctx, t)
	case service == "dynamodb" && dynamoActions[action]:
		return s.optimizedSDK(ctx, t, "dynamodb", action)
	case service == "sqs" && action == "sendMessage":
		return s.sqsSendMessage(ctx, t)
	case service == "states" && action == "startExecution":
		return s.startChild(ctx, t)
	case service == "aws-sdk":
		svc, act, ok := strings.Cut(action, ":")
		if ok && svc != "" && act != "" {
			return s.awsSDK(ctx, t, svc, act)
		}
	}
	return nil, unsupported("Resource %s is not an integration the local cloud runs", t.req.Resource)
}

var dynamoActions = map[string]bool{"getItem": true, "putItem": true, "updateItem": true, "deleteItem": true}

// unsupported fails a task the local cloud cannot run with States.Runtime,
// which no Retry or Catch hides.
func unsupported(format string, args ...any) error {
	return &asl.StatesError{Name: asl.StatesRuntime, Cause: fmt.Sprintf(format, args...)}
}

// notWired fails a task whose integration the service was built without.
func notWired(what string) error {
	return unsupported("the local Step Functions service has no %s integration wired", what)
}

// params decodes a task's effective input as the object an optimized
// integration takes.
func params(t *task) (map[string]json.RawMessage, error) {
	var p map[string]json.RawMessage
	if err := json.Unmarshal(t.req.Input, &p); err != nil || p == nil {
		return nil, &asl.StatesError{Name: asl.StatesRuntime, Cause: fmt.Sprintf("The Parameters of state '%s' must be a JSON object", t.req.StateName)}
	}
	return p, nil
}

// stringParam reads an optional string parameter.
func stringParam(p map[string]json.RawMessage, name string) string {
	var s string
	_ = json.Unmarshal(p[name], &s)
	return s
}

// textParam reads a parameter Step Functions sends as text: a string as
// it is, any other JSON value serialized (MessageBody, Input, Detail).
func textParam(p map[string]json.RawMessage, name string) (string, bool) {
	raw, ok := p[name]
	if !ok {
		return "", false
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, true
	}
	return string(raw), true
}

// serviceError names a failed service call as Step Functions does for
// optimized integrations: "<Prefix>.<ErrorCode>", with a cause in the
// Java SDK's words, e.g. "Function not found: … (Service: AWSLambda;
// Status Code: 404; Error Code: ResourceNotFoundException; Request ID: …;
// Proxy: null)".
func serviceError(prefix, sdkService string, err error) error {
	var se *asl.StatesError
	if errors.As(err, &se) {
		return se
	}
	var ae *awsproto.Error
	if !errors.As(err, &ae) {
		return &asl.StatesError{Name: prefix + ".SdkClientException", Cause: err.Error()}
	}
	return &asl.StatesError{Name: prefix + "." + ae.Code, Cause: fmt.Sprintf(
		"%s (Service: %s; Status Code: %d; Error Code: %s; Request ID: %s; Proxy: null)",
		ae.Message, sdkService, ae.Status, ae.Code, newUUID())}
}

// sdkMetadata are the SdkHttpMetadata and SdkResponseMetadata members
// optimized integrations add to a service's response.
func sdkMetadata(out map[string]any, requestID string, contentLength int) {
	if requestID == "" {
		requestID = newUUID()
	}
	headers := map[string]string{"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": requestID,
		"Content-Length": fmt.Sprint(contentLength)}
	all := map[string][]string{}
	for k, v := range headers {
		all[k] = []string{v}
	}
	out["SdkHttpMetadata"] = map[string]any{"AllHttpHeaders": all, "HttpHeaders": headers, "HttpStatusCode": 200}
	out["SdkResponseMetadata"] = map[string]any{"RequestId": requestID}
}

func marshal(v any) (json.RawMessage, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode task result: %w", err)
	}
	return b, nil
}
