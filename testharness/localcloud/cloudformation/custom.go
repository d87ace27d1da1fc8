package cloudformation

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/activity"
	"github.com/tracebridge/tracebridge/testharness/localcloud/arn"
	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
	"github.com/tracebridge/tracebridge/testharness/localcloud/cfnresource"
)

const (
	cdkMetadataType    = "AWS::CDK::Metadata"
	customResourceType = "AWS::CloudFormation::CustomResource"
	// maxResponseBytes is the largest custom resource response
	// CloudFormation accepts (the response object limit is 4096 bytes).
	maxResponseBytes = 4096
)

func isCustomType(t string) bool {
	return t == customResourceType || strings.HasPrefix(t, "Custom::")
}

// customRequest is the request CloudFormation sends a custom resource
// provider (docs: "Custom resource request objects").
type customRequest struct {
	RequestType           string         `json:"RequestType"`
	ServiceToken          string         `json:"ServiceToken"`
	ResponseURL           string         `json:"ResponseURL"`
	StackID               string         `json:"StackId"`
	RequestID             string         `json:"RequestId"`
	LogicalResourceID     string         `json:"LogicalResourceId"`
	PhysicalResourceID    string         `json:"PhysicalResourceId,omitempty"`
	ResourceType          string         `json:"ResourceType"`
	ResourceProperties    map[string]any `json:"ResourceProperties"`
	OldResourceProperties map[string]any `json:"OldResourceProperties,omitempty"`
}

// customResponse is what a provider PUTs to the ResponseURL (docs:
// "Custom resource response objects").
type customResponse struct {
	Status             string         `json:"Status"`
	Reason             string         `json:"Reason"`
	PhysicalResourceID string         `json:"PhysicalResourceId"`
	StackID            string         `json:"StackId"`
	RequestID          string         `json:"RequestId"`
	LogicalResourceID  string         `json:"LogicalResourceId"`
	NoEcho             bool           `json:"NoEcho"`
	Data               map[string]any `json:"Data"`
	// invalid is set when the body could not be read as a response.
	invalid string
}

// customFailure is a custom resource that answered FAILED (or could not
// be run); physicalID is what it named, which a rollback sends Delete for.
type customFailure struct {
	physicalID string
	reason     string
}

func (c *customFailure) Error() string { return c.reason }

func (e *Engine) customCreate(ctx context.Context, req cfnresource.Request) (cfnresource.Resource, error) {
	return e.runCustom(ctx, "Create", req, nil, cfnresource.Resource{})
}

func (e *Engine) customUpdate(ctx context.Context, req, old cfnresource.Request, res cfnresource.Resource) (cfnresource.Resource, error) {
	return e.runCustom(ctx, "Update", req, &old, res)
}

func (e *Engine) customDelete(ctx context.Context, req cfnresource.Request, res cfnresource.Resource) error {
	_, err := e.runCustom(ctx, "Delete", req, nil, res)
	return err
}

// runCustom sends one request to a custom resource and waits for its
// response: natively for CDK's helper types, otherwise by invoking the
// ServiceToken function and waiting for a PUT to the response URL.
func (e *Engine) runCustom(ctx context.Context, requestType string, req cfnresource.Request, old *cfnresource.Request, res cfnresource.Resource) (cfnresource.Resource, error) {
	cr := customRequest{RequestType: requestType, StackID: req.StackID, RequestID: awsproto.NewRequestID(),
		LogicalResourceID: req.LogicalID, PhysicalResourceID: res.PhysicalID, ResourceType: req.Type,
		ResourceProperties: stringifyProperties(req.Properties)}
	if old != nil {
		cr.OldResourceProperties = stringifyProperties(old.Properties)
	}
	cr.ServiceToken, _ = cr.ResourceProperties["ServiceToken"].(string)
	if cr.ServiceToken == "" {
		return cfnresource.Resource{}, fmt.Errorf("Property ServiceToken of resource %s (%s) is required and must be a string", req.LogicalID, req.Type)
	}
	var resp customResponse
	if handler, ok := nativeHandlers[req.Type]; ok {
		resp = e.runNative(ctx, handler, cr)
	} else {
		var err error
		if resp, err = e.invokeCustom(ctx, cr, req); err != nil {
			return cfnresource.Resource{}, err
		}
	}
	return customResult(cr, resp, res)
}

// customResult turns a provider's response into the resource, or the
// failure CloudFormation reports.
func customResult(cr customRequest, resp customResponse, res cfnresource.Resource) (cfnresource.Resource, error) {
	if resp.invalid != "" {
		return cfnresource.Resource{}, &customFailure{reason: resp.invalid}
	}
	switch resp.Status {
	case "SUCCESS":
	case "FAILED":
		return cfnresource.Resource{}, &customFailure{physicalID: resp.PhysicalResourceID,
			reason: fmt.Sprintf("Received response status [FAILED] from custom resource. Message returned: %s (RequestId: %s)", resp.Reason, cr.RequestID)}
	default:
		return cfnresource.Resource{}, &customFailure{reason: fmt.Sprintf("Invalid response status [%s] from custom resource (RequestId: %s): expected SUCCESS or FAILED", resp.Status, cr.RequestID)}
	}
	if resp.PhysicalResourceID == "" {
		if cr.RequestType == "Create" {
			return cfnresource.Resource{}, &customFailure{reason: "Invalid PhysicalResourceId"}
		}
		resp.PhysicalResourceID = res.PhysicalID
	}
	return cfnresource.Resource{PhysicalID: resp.PhysicalResourceID, Attributes: resp.Data}, nil
}

// invokeCustom invokes a Lambda service token and awaits the response on
// the injected clock.
func (e *Engine) invokeCustom(ctx context.Context, cr customRequest, req cfnresource.Request) (customResponse, error) {
	token, err := arn.Parse(cr.ServiceToken)
	switch {
	case err != nil:
		return customResponse{}, fmt.Errorf("Invalid service token %q of resource %s: it is not an ARN", cr.ServiceToken, req.LogicalID)
	case token.Service == "sns":
		return customResponse{}, fmt.Errorf("Service token %s of resource %s is an SNS topic: the local cloud runs custom resources through Lambda functions only", cr.ServiceToken, req.LogicalID)
	case token.Service != "lambda" || !strings.HasPrefix(token.Resource, "function:"):
		return customResponse{}, fmt.Errorf("Invalid service token %s of resource %s: expected a Lambda function ARN", cr.ServiceToken, req.LogicalID)
	case e.opts.Invoker == nil:
		return customResponse{}, fmt.Errorf("Custom resource %s cannot be run: the local cloud has no Lambda invoker (Options.Invoker)", req.LogicalID)
	}
	timeout := e.opts.CustomResourceTimeout
	if s, ok := cr.ResourceProperties["ServiceTimeout"].(string); ok {
		secs, err := strconv.Atoi(s)
		if err != nil || secs < 1 || secs > 3600 {
			return customResponse{}, fmt.Errorf("Property ServiceTimeout of resource %s must be an integer between 1 and 3600 seconds, got %q", req.LogicalID, s)
		}
		timeout = min(timeout, time.Duration(secs)*time.Second)
	}
	responseToken := awsproto.NewRequestID()
	cr.ResponseURL = strings.TrimSuffix(e.opts.Endpoint, "/") + ResponsePathPrefix + "responses/" + responseToken
	// While CloudFormation waits for the response, the resource's work is
	// paused; the response resumes it before it is handed over.
	work := workIn(ctx)
	if work == nil {
		work = e.opts.Activity.Begin(ctx, "cloudformation custom resource "+req.LogicalID)
		defer work.Done()
	}
	ch := make(chan customResponse, 1)
	e.mu.Lock()
	e.pending[responseToken] = pendingResponse{ch: ch, work: work}
	e.mu.Unlock()
	defer func() {
		e.mu.Lock()
		delete(e.pending, responseToken)
		e.mu.Unlock()
	}()
	payload, err := json.Marshal(cr)
	if err != nil {
		return customResponse{}, fmt.Errorf("encode custom resource request of %s: %w", req.LogicalID, err)
	}
	expired := e.opts.Activity.NewTimer(ctx, timeout, "cloudformation custom resource timeout of "+req.LogicalID)
	defer expired.Stop()
	if err := e.opts.Invoker.InvokeAsync(ctx, cr.ServiceToken, payload); err != nil {
		return customResponse{}, fmt.Errorf("Failed to invoke service token %s of resource %s: %w", cr.ServiceToken, req.LogicalID, err)
	}
	// Resumed before the timer stops pending (deferred in this order).
	defer work.Resume()
	if seen := work.Wakes(); len(ch) == 0 {
		work.PauseUnlessWoken(seen)
	}
	select {
	case resp := <-ch:
		return resp, nil
	case <-expired.C:
		return customResponse{}, fmt.Errorf("CloudFormation did not receive a response from your Custom Resource. Please check your logs for requestId [%s]. If you are using the Python cfn-response module, you may need to update your Lambda function code so that CloudFormation can attach the updated version.", cr.RequestID)
	case <-ctx.Done():
		return customResponse{}, fmt.Errorf("custom resource %s: %w", req.LogicalID, ctx.Err())
	}
}

// pendingResponse is a custom resource's awaited response: where to hand
// it, and the resource's paused work, which it resumes.
type pendingResponse struct {
	ch   chan customResponse
	work *activity.Work
}

// deliverResponse hands a response to the request awaiting it.
func (e *Engine) deliverResponse(token string, resp customResponse) bool {
	e.mu.Lock()
	p, ok := e.pending[token]
	delete(e.pending, token)
	e.mu.Unlock()
	if ok {
		p.work.Resume()
		p.ch <- resp
	}
	return ok
}

// stringifyProperties renders every number and boolean as a string, as
// CloudFormation passes ResourceProperties to custom resource providers.
func stringifyProperties(props map[string]any) map[string]any {
	out, _ := stringifyValue(props).(map[string]any)
	if out == nil {
		out = map[string]any{}
	}
	return out
}

func stringifyValue(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = stringifyValue(e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = stringifyValue(e)
		}
		return out
	}
	if s, ok := scalarString(v); ok {
		return s
	}
	return v
}
