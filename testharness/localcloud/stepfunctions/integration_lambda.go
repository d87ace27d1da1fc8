package stepfunctions

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/tracebridge/tracebridge/testharness/localcloud/asl"
)

// lambdaInvoke runs arn:aws:states:::lambda:invoke: Parameters are the
// Invoke API's (FunctionName, Payload, Qualifier, InvocationType,
// ClientContext) and the result is the Invoke response as Step Functions
// renders it: {ExecutedVersion, Payload, SdkHttpMetadata,
// SdkResponseMetadata, StatusCode} ("Invoke Lambda with Step Functions").
func (s *Service) lambdaInvoke(ctx context.Context, t *task) (json.RawMessage, error) {
	if s.opts.Lambda == nil {
		return nil, notWired("Lambda")
	}
	p, err := params(t)
	if err != nil {
		return nil, err
	}
	fn := stringParam(p, "FunctionName")
	if fn == "" {
		return nil, &asl.StatesError{Name: asl.StatesRuntime, Cause: fmt.Sprintf("The Parameters of state '%s' need a FunctionName", t.req.StateName)}
	}
	payload := []byte("{}")
	if raw, ok := p["Payload"]; ok {
		payload = raw
	}
	opts := LambdaInvokeOptions{Qualifier: stringParam(p, "Qualifier"), InvocationType: stringParam(p, "InvocationType"),
		ClientContext: stringParam(p, "ClientContext"), TraceHeader: t.traceHeader}
	res, err := s.opts.Lambda.Invoke(ctx, fn, payload, opts)
	if err != nil {
		return nil, serviceError("Lambda", "AWSLambda", err)
	}
	if res.FunctionError != "" {
		return nil, functionError(res.Payload)
	}
	status := 200
	var body any = json.RawMessage(res.Payload)
	switch {
	case opts.InvocationType == "Event":
		status, body = 202, ""
	case len(res.Payload) == 0:
		body = ""
	case !json.Valid(res.Payload):
		body = string(res.Payload)
	}
	version := res.ExecutedVersion
	if version == "" {
		version = "$LATEST"
	}
	out := map[string]any{"ExecutedVersion": version, "Payload": body, "StatusCode": status}
	sdkMetadata(out, res.RequestID, len(res.Payload))
	return marshal(out)
}

// invokeFunction runs a Task whose Resource is a function ARN: the
// effective input is the payload and the function's output the result.
func (s *Service) invokeFunction(ctx context.Context, t *task, functionARN string) (json.RawMessage, error) {
	if s.opts.Lambda == nil {
		return nil, notWired("Lambda")
	}
	res, err := s.opts.Lambda.Invoke(ctx, functionARN, t.req.Input, LambdaInvokeOptions{TraceHeader: t.traceHeader})
	if err != nil {
		return nil, serviceError("Lambda", "AWSLambda", err)
	}
	if res.FunctionError != "" {
		return nil, functionError(res.Payload)
	}
	if len(res.Payload) == 0 {
		return json.RawMessage("null"), nil
	}
	return res.Payload, nil
}

// functionError names a function's failure as Step Functions does
// ("Handling Lambda errors"): the errorType of the function's error
// document, the document itself as the cause; without an errorType (a
// crash, a timeout) Lambda.Unknown.
func functionError(payload []byte) error {
	var doc struct {
		ErrorType string `json:"errorType"`
	}
	if json.Unmarshal(payload, &doc) == nil && doc.ErrorType != "" {
		return &asl.StatesError{Name: doc.ErrorType, Cause: string(payload)}
	}
	return &asl.StatesError{Name: "Lambda.Unknown",
		Cause: "The cause could not be determined because Lambda did not return an error type. Returned payload: " + string(payload)}
}
