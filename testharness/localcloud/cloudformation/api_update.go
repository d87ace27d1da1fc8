package cloudformation

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
)

// Template size limits (CloudFormation User Guide, "CloudFormation
// quotas"): a TemplateBody of at most 51,200 bytes, a template in S3 of at
// most 1 MB, and a TemplateURL of at most 1,024 characters (API
// reference, CreateStack).
const (
	maxTemplateBodyBytes = 51200
	maxTemplateURLBytes  = 1024
	maxTemplateS3Bytes   = 1000000
)

// TemplateStore reads the S3 objects TemplateURLs name; the local S3 is
// one.
type TemplateStore interface {
	GetTemplate(ctx context.Context, bucket, key string) ([]byte, error)
}

// templateRequest reads the template of a CreateStack, UpdateStack or
// CreateChangeSet request: TemplateBody, TemplateURL (an object of the
// local S3), or UsePreviousTemplate (the current template of previous,
// which is nil for a new stack). Its parameters take UsePreviousValue
// from previous too.
func (e *Engine) templateRequest(ctx context.Context, params url.Values, previous *stack) (TemplateInput, error) {
	in := TemplateInput{StackName: params.Get("StackName"), Parameters: map[string]string{},
		DisableRollback: params.Get("DisableRollback") == "true" || params.Get("OnFailure") == "DO_NOTHING"}
	body, bodyURL, usePrevious := params.Get("TemplateBody"), params.Get("TemplateURL"), params.Get("UsePreviousTemplate") == "true"
	given := 0
	for _, set := range []bool{body != "", bodyURL != "", usePrevious} {
		if set {
			given++
		}
	}
	switch {
	case given == 0:
		return in, awsproto.NewError("ValidationError", http.StatusBadRequest, "Either Template URL or Template Body must be specified.")
	case given > 1:
		return in, awsproto.NewError("ValidationError", http.StatusBadRequest, "Specify exactly one of TemplateBody, TemplateURL or UsePreviousTemplate.")
	case len(body) > maxTemplateBodyBytes:
		return in, awsproto.Errorf("ValidationError", http.StatusBadRequest,
			"1 validation error detected: Value '%s' at 'templateBody' failed to satisfy constraint: Member must have length less than or equal to %d", body, maxTemplateBodyBytes)
	case body != "":
		in.Body = []byte(body)
	case bodyURL != "":
		b, err := e.fetchTemplate(ctx, bodyURL)
		if err != nil {
			return in, err
		}
		in.Body = b
	case previous == nil:
		return in, awsproto.NewError("ValidationError", http.StatusBadRequest, "UsePreviousTemplate is only valid for an existing stack.")
	default:
		e.mu.Lock()
		in.Body = previous.templateBody
		e.mu.Unlock()
	}
	for i := 1; params.Has("Parameters.member." + strconv.Itoa(i) + ".ParameterKey"); i++ {
		prefix := "Parameters.member." + strconv.Itoa(i) + "."
		key := params.Get(prefix + "ParameterKey")
		if params.Get(prefix+"UsePreviousValue") != "true" {
			in.Parameters[key] = params.Get(prefix + "ParameterValue")
			continue
		}
		value, ok := previousValue(e, previous, key)
		if !ok {
			return in, awsproto.Errorf("ValidationError", http.StatusBadRequest, "Invalid input for parameter key %s. Cannot specify usePreviousValue as true for a parameter key not in the previous template", key)
		}
		in.Parameters[key] = value
	}
	return in, nil
}

// previousValue is a parameter's value in a stack's last deployment.
func previousValue(e *Engine, s *stack, key string) (string, bool) {
	if s == nil {
		return "", false
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, p := range s.params {
		if p.Key == key {
			return p.Value, true
		}
	}
	return "", false
}

// fetchTemplate reads a TemplateURL's object from the local S3. It takes
// the URL forms the AWS CLI and CDK produce (virtual-hosted or path-style
// on *.amazonaws.com) and path-style URLs on the local cloud's endpoint.
func (e *Engine) fetchTemplate(ctx context.Context, raw string) ([]byte, error) {
	if len(raw) > maxTemplateURLBytes {
		return nil, awsproto.Errorf("ValidationError", http.StatusBadRequest,
			"1 validation error detected: Value '%s' at 'templateURL' failed to satisfy constraint: Member must have length less than or equal to %d", raw, maxTemplateURLBytes)
	}
	bucket, key, ok := templateObject(raw)
	if !ok {
		return nil, awsproto.NewError("ValidationError", http.StatusBadRequest, "TemplateURL must be an Amazon S3 URL.")
	}
	if e.opts.Templates == nil {
		return nil, awsproto.NewError("ValidationError", http.StatusBadRequest, "TemplateURL cannot be read: the local cloud has no S3 (Options.Templates)")
	}
	body, err := e.opts.Templates.GetTemplate(ctx, bucket, key)
	if err != nil {
		var ae *awsproto.Error
		if errors.As(err, &ae) {
			return nil, awsproto.NewError("ValidationError", http.StatusBadRequest, "TemplateURL must reference a valid S3 object to which you have access.")
		}
		return nil, fmt.Errorf("read template s3://%s/%s: %w", bucket, key, err)
	}
	if len(body) > maxTemplateS3Bytes {
		return nil, awsproto.Errorf("ValidationError", http.StatusBadRequest, "Template may not exceed %d bytes in size.", maxTemplateS3Bytes)
	}
	return body, nil
}

// templateObject finds the bucket and key of a TemplateURL.
func templateObject(raw string) (bucket, key string, ok bool) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", "", false
	}
	host, path := u.Hostname(), strings.TrimPrefix(u.Path, "/")
	if name, isAWS := strings.CutSuffix(host, ".amazonaws.com"); isAWS {
		if b, _, virtual := strings.Cut(name, ".s3"); virtual && b != "" && !strings.HasPrefix(name, "s3") {
			bucket, key = b, path
		} else if strings.HasPrefix(name, "s3") {
			bucket, key, _ = strings.Cut(path, "/")
		}
	} else {
		bucket, key, _ = strings.Cut(path, "/")
	}
	return bucket, key, bucket != "" && key != ""
}

type updateStackResult struct {
	StackID string `xml:"StackId"`
}

// updateStack validates an update and runs it in the background, as
// UpdateStack returns before the stack is updated. An update that changes
// nothing is a ValidationError, as on AWS.
func (e *Engine) updateStack(ctx context.Context, params url.Values) (any, error) {
	e.mu.Lock()
	s, err := e.stackParamLocked(params)
	e.mu.Unlock()
	if err != nil {
		return nil, err
	}
	in, err := e.templateRequest(ctx, params, s)
	if err != nil {
		return nil, err
	}
	in.StackName = s.name
	s, p, update, err := e.begin(in)
	if err != nil {
		return nil, err
	}
	if update == nil {
		return nil, awsproto.NewError("ValidationError", http.StatusBadRequest, "No updates are to be performed.")
	}
	e.background(ctx, func(ctx context.Context) { _, _ = e.runUpdate(ctx, s, p) })
	return updateStackResult{StackID: s.id}, nil
}

// continueUpdateRollback checks the request and continues the rollback in
// the background.
func (e *Engine) continueUpdateRollback(ctx context.Context, params url.Values) (any, error) {
	var skip []string
	for i := 1; params.Has("ResourcesToSkip.member." + strconv.Itoa(i)); i++ {
		skip = append(skip, params.Get("ResourcesToSkip.member."+strconv.Itoa(i)))
	}
	s, rp, err := e.beginContinue(params.Get("StackName"), skip)
	if err != nil {
		return nil, err
	}
	e.background(ctx, func(ctx context.Context) { _, _ = e.runRollback(ctx, s, rp) })
	// An empty <ContinueUpdateRollbackResult/>, which the SDKs expect.
	return struct{}{}, nil
}
