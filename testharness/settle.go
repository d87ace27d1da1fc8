package testharness

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// SettledPath is the local cloud's answer to "can anything still happen
// before this deadline?" (GET, unsigned, under its reserved path).
const SettledPath = "/_tracebridge/settled"

// ErrSettleUnsupported is returned by WaitSettled for an endpoint that has
// no settled API: AWS itself, or another emulator. There only a deadline
// ends a wait.
var ErrSettleUnsupported = errors.New("the endpoint cannot tell when it has settled")

// WaitSettled asks the local cloud at endpoint to answer once it has
// settled: no request being served, no invocation running, no event,
// stream record or delivery waiting, and no retry or timer due before
// until — ignoring the work of the owners in ignore (a test execution's
// ARN: its own tasks). settled is true then: nothing the awaited effect
// could come from is left, so a test that has not seen it can fail at
// once. It is false when until passed first. client nil means
// http.DefaultClient.
//
// A test of your own uses it the same way: act, then wait for the effect
// or for WaitSettled, whichever comes first.
func WaitSettled(ctx context.Context, client *http.Client, endpoint string, until time.Time, ignore ...string) (settled bool, err error) {
	if client == nil {
		client = http.DefaultClient
	}
	q := url.Values{"ignore": ignore}
	if !until.IsZero() {
		q.Set("until", until.UTC().Format(time.RFC3339Nano))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(endpoint, "/")+SettledPath+"?"+q.Encode(), nil)
	if err != nil {
		return false, fmt.Errorf("settled request to %s: %w", endpoint, err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return false, fmt.Errorf("wait for %s to settle: %w", endpoint, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return false, fmt.Errorf("%s answered %s: %w", endpoint+SettledPath, resp.Status, ErrSettleUnsupported)
	}
	var body struct {
		Settled bool `json:"settled"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return false, fmt.Errorf("decode %s's settled answer: %w", endpoint, err)
	}
	return body.Settled, nil
}

// NotifyWhenSettled asks the local cloud at endpoint to invoke a Lambda
// function with payload once it has settled before until (see
// WaitSettled), instead of holding a request open: a function waits for
// the cloud this way without holding one of its processes. Nothing is
// invoked when until passes first. It returns an error wrapping
// ErrSettleUnsupported where the endpoint has no settled API.
func NotifyWhenSettled(ctx context.Context, client *http.Client, endpoint string, until time.Time, ignore []string, functionName string, payload any) error {
	if client == nil {
		client = http.DefaultClient
	}
	body, err := json.Marshal(map[string]any{"until": until.UTC(), "ignore": ignore, "functionName": functionName, "payload": payload})
	if err != nil {
		return fmt.Errorf("encode settled notification: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(endpoint, "/")+SettledPath, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("settled notification to %s: %w", endpoint, err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("ask %s to notify when settled: %w", endpoint, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("%s answered %s %s: %w", endpoint+SettledPath, resp.Status, bytes.TrimSpace(msg), ErrSettleUnsupported)
	}
	return nil
}
