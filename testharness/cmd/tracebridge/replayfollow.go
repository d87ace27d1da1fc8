package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/tracebridge/tracebridge/schemas"
	"github.com/tracebridge/tracebridge/testharness/localcloud"
	"github.com/tracebridge/tracebridge/testharness/localcloud/observe"
)

// history reads a local cloud's history through its console's records
// API: what `replay --follow` reports is what the cloud saw.
type history struct {
	client *http.Client
	base   string // the console's address
}

func newHistory(endpoint string) history {
	return history{client: http.DefaultClient, base: strings.TrimSuffix(endpoint, "/") + localcloud.ConsolePath}
}

// page fetches one page of records.
func (h history) page(ctx context.Context, q url.Values) (observe.Page, error) {
	var page observe.Page
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, h.base+"api/records?"+q.Encode(), nil)
	if err != nil {
		return page, err
	}
	resp, err := h.client.Do(req)
	if err != nil {
		return page, fmt.Errorf("read the local cloud's history: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return page, fmt.Errorf("read the local cloud's history: %s answered %s (is it a Tracebridge local cloud?)", h.base, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil {
		return page, fmt.Errorf("decode the local cloud's history: %w", err)
	}
	return page, nil
}

// last is the sequence number of the newest record: what comes after it
// is new.
func (h history) last(ctx context.Context) (uint64, error) {
	page, err := h.page(ctx, url.Values{"limit": {"1"}})
	return page.Last, err
}

// since reads every record after seq, oldest first. A history that has
// already dropped some of them (past its cap) says so.
func (h history) since(ctx context.Context, seq uint64) ([]observe.Record, error) {
	var out []observe.Record
	for {
		page, err := h.page(ctx, url.Values{"after": {strconv.FormatUint(seq, 10)}, "limit": {"5000"}})
		if err != nil {
			return nil, err
		}
		if page.First > seq+1 && len(out) == 0 {
			return nil, fmt.Errorf("the local cloud's history no longer holds records %d to %d: more happened during the replay than it keeps", seq+1, page.First-1)
		}
		for _, doc := range page.Records {
			var rec observe.Record
			if err := json.Unmarshal(doc, &rec); err != nil {
				return nil, fmt.Errorf("decode a record of the local cloud's history: %w", err)
			}
			out = append(out, rec)
		}
		if !page.More {
			return out, nil
		}
		seq = page.Newest
	}
}

// followed is one replayed event and what came of it.
type followed struct {
	event observe.Record
	// deliveries holds the last attempt per target, in the order the
	// targets were first tried.
	deliveries []observe.Delivery
	// invocations are those its deliveries asked for; outcomes the app's
	// events of its traces that came after it.
	invocations []observe.Invocation
	outcomes    []observe.Record
}

// followReplay sorts a replay's records: the events it sent again, the
// deliveries of each, the Lambda invocations those deliveries asked for,
// and the app's events of the traces involved — the replayed event's own
// trace and its invocations' (S3 events carry none, so their functions
// start one). An app event goes to the latest replayed event before it
// whose traces it shares.
func followReplay(records []observe.Record, replay string) []*followed {
	var events []*followed
	byEvent := map[string]*followed{}
	byInvocation := map[string]*followed{}
	for _, rec := range records {
		switch {
		case rec.Kind == observe.KindEvent && rec.Event.Replay == replay:
			f := &followed{event: rec}
			events = append(events, f)
			byEvent[rec.Event.ID] = f
		case rec.Kind == observe.KindDelivery:
			if f := byEvent[rec.Delivery.EventID]; f != nil {
				f.deliver(*rec.Delivery)
				if id := rec.Delivery.InvocationID; id != "" {
					byInvocation[id] = f
				}
			}
		}
	}
	// An invocation ends (and is recorded) after the events it put: the
	// traces are known first, then the events are sorted.
	owners := map[string][]*followed{} // by trace id, in replay order
	own := func(trace string, f *followed) {
		if trace != "" && !slices.Contains(owners[trace], f) {
			owners[trace] = append(owners[trace], f)
		}
	}
	for _, f := range events {
		own(f.event.TraceID, f)
	}
	for _, rec := range records {
		if rec.Kind != observe.KindInvocation {
			continue
		}
		if f := byInvocation[rec.Invocation.RequestID]; f != nil {
			f.invocations = append(f.invocations, *rec.Invocation)
			own(rec.TraceID, f)
		}
	}
	for _, rec := range records {
		if rec.Kind != observe.KindEvent || rec.Event.Replay != "" || rec.Event.Source != schemas.AppEventSource {
			continue
		}
		var owner *followed
		for _, f := range owners[rec.TraceID] {
			if f.event.Seq < rec.Seq && (owner == nil || f.event.Seq > owner.event.Seq) {
				owner = f
			}
		}
		if owner != nil {
			owner.outcomes = append(owner.outcomes, rec)
		}
	}
	return events
}

// deliver keeps a target's latest attempt.
func (f *followed) deliver(d observe.Delivery) {
	for i, prev := range f.deliveries {
		if prev.Rule == d.Rule && prev.TargetID == d.TargetID {
			f.deliveries[i] = d
			return
		}
	}
	f.deliveries = append(f.deliveries, d)
}

// printFollowed writes one block per replayed event, then the summary:
// events replayed, outcomes by kind, deliveries by outcome.
func printFollowed(w io.Writer, events []*followed) {
	outcomes := map[string]int{}
	deliveries := map[string]int{}
	for i, f := range events {
		e := f.event.Event
		trace := f.event.TraceID
		if trace == "" {
			trace = "none"
		}
		fmt.Fprintf(w, "event %d  %s from %s  id %s  trace %s\n", i+1, e.DetailType, e.Source, e.ID, trace)
		fmt.Fprintf(w, "  rules matched      %s\n", namesOr(e.Matched, "none"))
		if len(e.Unmatched) > 0 {
			fmt.Fprintf(w, "  rules not matched  %s\n", namesOr(e.Unmatched, ""))
		}
		for _, d := range f.deliveries {
			fmt.Fprintf(w, "  target             %s (rule %s): %s\n", lastPart(d.Target), lastPart(d.Rule), fate(d))
			deliveries[d.Outcome]++
		}
		for _, inv := range f.invocations {
			result := "ok"
			if inv.ErrorType != "" {
				result = "failed " + inv.ErrorType
			}
			if inv.Retry != nil && inv.Retry.Attempt > 1 {
				result += " on Lambda's " + attemptName(inv.Retry.Attempt)
			}
			fmt.Fprintf(w, "  invoked            %s: %s in %.1f ms\n", lastPart(inv.Function), result, inv.Duration)
		}
		if len(f.outcomes) == 0 {
			fmt.Fprintf(w, "  came of it         no %s event\n", schemas.AppEventSource)
			outcomes["none"]++
		}
		for _, o := range f.outcomes {
			fmt.Fprintf(w, "  came of it         %s (event %s, trace %s)\n", o.Event.DetailType, o.Event.ID, o.TraceID)
			outcomes[o.Event.DetailType]++
		}
	}
	fmt.Fprintf(w, "%d events replayed; outcomes: %s; deliveries: %s\n", len(events), counts(outcomes), counts(deliveries))
}

// fate says how a delivery ended: delivered (on which retry), or dead-
// lettered or dropped with its ERROR_CODE, or how its last attempt failed.
func fate(d observe.Delivery) string {
	switch d.Outcome {
	case observe.Delivered:
		if d.Attempt > 1 {
			return "delivered on " + attemptName(d.Attempt)
		}
		return "delivered"
	case observe.GaveUp:
		where := "dropped (the target has no dead-letter queue)"
		if d.DeadLetterQueue != "" {
			where = "dead-lettered to " + lastPart(d.DeadLetterQueue)
		}
		return fmt.Sprintf("%s with ERROR_CODE %s after %s: %s", where, d.ErrorCode, attempts(d.Attempt), d.ErrorMessage)
	}
	return fmt.Sprintf("%s failed %s: %s", attemptName(d.Attempt), d.ErrorCode, d.ErrorMessage)
}

// namesOr lists resources by name, or says alt for none.
func namesOr(arns []string, alt string) string {
	if len(arns) == 0 {
		return alt
	}
	names := make([]string, len(arns))
	for i, a := range arns {
		names[i] = lastPart(a)
	}
	return strings.Join(names, ", ")
}

// lastPart names a resource by the last part of its ARN.
func lastPart(arn string) string {
	return arn[strings.LastIndexAny(arn, ":/")+1:]
}

// counts writes "a 2, b 1" by count, then name; "none" when empty.
func counts(m map[string]int) string {
	if len(m) == 0 {
		return "none"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, m[k])
	}
	return strings.Join(parts, ", ")
}
