package cloudformation

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
)

// serveResponse receives a custom resource's response, PUT to its
// ResponseURL as cfn-response modules PUT to CloudFormation's presigned S3
// URL. Like S3 it stores any body (200); a body that is not a valid
// response fails the resource instead. An unknown or already answered URL
// answers 404.
func (e *Engine) serveResponse(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	body, err := io.ReadAll(io.LimitReader(r.Body, awsproto.MaxBodyBytes))
	if err != nil {
		awsproto.WriteS3Error(ctx, w, r, awsproto.Errorf("IncompleteBody", http.StatusBadRequest, "read response body: %v", err))
		return
	}
	var resp customResponse
	switch {
	case len(body) > maxResponseBytes:
		resp.invalid = fmt.Sprintf("Response object is too long (%d bytes; the limit is %d).", len(body), maxResponseBytes)
	default:
		if err := json.Unmarshal(body, &resp); err != nil {
			resp.invalid = fmt.Sprintf("Invalid response object: %v", err)
		}
	}
	if !e.deliverResponse(r.PathValue("token"), resp) {
		awsproto.WriteS3Error(ctx, w, r, awsproto.NewError("NoSuchKey", http.StatusNotFound,
			"No custom resource request awaits a response at this URL (unknown, timed out or already answered)."))
		return
	}
	w.Header().Set("X-Amz-Request-Id", awsproto.RequestID(ctx))
	w.WriteHeader(http.StatusOK)
}
