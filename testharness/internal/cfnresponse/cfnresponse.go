// Package cfnresponse answers CloudFormation custom resource requests: one
// PUT of the response document to the request's presigned ResponseURL,
// kept within CloudFormation's limit on the body's size. Both the test
// starter (Delete, start failures) and the test runner's report step
// (the run's verdict) answer through it.
package cfnresponse

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/cfn"
)

// MaxBodyBytes is CloudFormation's limit: "The total size of the response
// body can't exceed 4096 bytes" (CloudFormation User Guide, "Custom
// resource response objects").
const MaxBodyBytes = 4096

// truncated marks a reason cut to fit.
const truncated = " …(truncated)"

// Response is what to answer.
type Response struct {
	Status cfn.StatusType
	// PhysicalResourceID defaults to the request's, then to its
	// LogicalResourceId: it must be non-empty and the same in every answer
	// for the resource, or CloudFormation sees a replacement.
	PhysicalResourceID string
	Reason             string
	Data               map[string]any
}

// Body returns the response document for req, cutting Reason (never the
// identifiers) until the body fits MaxBodyBytes. It fails only when the
// request's own identifiers leave no room.
func Body(req cfn.Event, r Response) ([]byte, error) {
	doc := cfn.Response{
		Status: r.Status, RequestID: req.RequestID, LogicalResourceID: req.LogicalResourceID, StackID: req.StackID,
		PhysicalResourceID: r.PhysicalResourceID, Reason: r.Reason, Data: r.Data,
	}
	if doc.PhysicalResourceID == "" {
		doc.PhysicalResourceID = req.PhysicalResourceID
	}
	if doc.PhysicalResourceID == "" {
		doc.PhysicalResourceID = req.LogicalResourceID
	}
	body, err := encode(doc)
	if err != nil || len(body) <= MaxBodyBytes {
		return body, err
	}
	// Escaping makes a reason's wire size differ from its length, so find
	// the longest prefix that fits by measuring: a binary search over cut
	// points (rune boundaries).
	reason := doc.Reason
	fits := func(keep int) ([]byte, bool) {
		doc.Reason = reason[:keep] + truncated
		b, err := encode(doc)
		return b, err == nil && len(b) <= MaxBodyBytes
	}
	var best []byte
	lo, hi := 0, len(reason)
	for lo <= hi {
		mid := (lo + hi) / 2
		keep := mid
		for keep > 0 && !utf8.RuneStart(reason[keep]) {
			keep--
		}
		if b, ok := fits(keep); ok {
			best, lo = b, mid+1
		} else {
			hi = mid - 1
		}
	}
	if best == nil {
		return nil, fmt.Errorf("CloudFormation response for %s does not fit %d bytes even without a reason", req.LogicalResourceID, MaxBodyBytes)
	}
	return best, nil
}

// encode marshals without HTML escaping: a reason keeps its <, > and &
// readable, and short.
func encode(doc cfn.Response) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("encode CloudFormation response: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// Send PUTs the response to req.ResponseURL. The presigned URL was signed
// without a Content-Type, so none is sent (as cfn.Response.Send does).
func Send(ctx context.Context, client *http.Client, req cfn.Event, r Response) error {
	if req.ResponseURL == "" {
		return fmt.Errorf("CloudFormation request %s has no ResponseURL", req.RequestID)
	}
	body, err := Body(req, r)
	if err != nil {
		return err
	}
	put, err := http.NewRequestWithContext(ctx, http.MethodPut, req.ResponseURL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("CloudFormation response URL: %w", err)
	}
	put.ContentLength = int64(len(body))
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(put)
	if err != nil {
		return fmt.Errorf("PUT CloudFormation response (%s): %w", r.Status, err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("PUT CloudFormation response (%s): HTTP %d: %s", r.Status, resp.StatusCode, msg)
	}
	return nil
}
