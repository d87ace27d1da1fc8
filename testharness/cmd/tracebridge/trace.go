package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/xray"
	xraytypes "github.com/aws/aws-sdk-go-v2/service/xray/types"

	"github.com/tracebridge/tracebridge/testharness"
	"github.com/tracebridge/tracebridge/testharness/tracefmt"
)

// batchGetTracesLimit is how many ids one BatchGetTraces call takes
// (AWS X-Ray API Reference, BatchGetTraces: TraceIds, at most 5 items).
const batchGetTracesLimit = 5

// traceCmd runs `tracebridge trace`.
func traceCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("trace", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, "usage: tracebridge trace TRACE_ID... | --correlation-id ID [--endpoint URL] [--since DURATION] [--html FILE] [--width N]\n\n")
		fs.PrintDefaults()
	}
	correlationID := fs.String("correlation-id", "", "show every trace annotated with this correlation id, on one time axis")
	endpoint := fs.String("endpoint", "", "local cloud endpoint; default $AWS_ENDPOINT_URL or AWS")
	since := fs.Duration("since", time.Hour, "with --correlation-id: how far back to look for its traces")
	htmlFile := fs.String("html", "", "also write the waterfall as a self-contained HTML page to this file")
	width := fs.Int("width", 60, "width of the time axis in the terminal, in characters")
	ids, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(ids) == 0 && *correlationID == "":
		return usageError{"trace: give a trace id or --correlation-id"}
	case len(ids) > 0 && *correlationID != "":
		return usageError{"trace: give trace ids or --correlation-id, not both"}
	}
	cfg, err := awsConfig(ctx, *endpoint)
	if err != nil {
		return err
	}
	client := xray.NewFromConfig(cfg)
	if *correlationID != "" {
		if ids, err = tracesOfCorrelationID(ctx, client, *correlationID, time.Now().Add(-*since), time.Now().Add(time.Minute)); err != nil {
			return err
		}
		if len(ids) == 0 {
			return fmt.Errorf("no trace is annotated with %s = %q in the last %s", testharness.CorrelationAnnotation, *correlationID, *since)
		}
	}
	traces, err := fetchTraces(ctx, client, ids)
	if err != nil {
		return err
	}
	w, err := tracefmt.Build(traces)
	if err != nil {
		return err
	}
	if err := tracefmt.Text(stdout, w, *width); err != nil {
		return err
	}
	if *htmlFile != "" {
		if err := writeFile(*htmlFile, func(f io.Writer) error { return tracefmt.HTML(f, w) }); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "wrote %s\n", *htmlFile)
	}
	return nil
}

// tracesOfCorrelationID lists the ids of the traces annotated with the
// correlation id in [from, to], oldest first.
func tracesOfCorrelationID(ctx context.Context, client *xray.Client, id string, from, to time.Time) ([]string, error) {
	in := &xray.GetTraceSummariesInput{
		StartTime:        aws.Time(from),
		EndTime:          aws.Time(to),
		FilterExpression: aws.String("annotation." + testharness.CorrelationAnnotation + " = " + strconv.Quote(id)),
	}
	var sums []xraytypes.TraceSummary
	p := xray.NewGetTraceSummariesPaginator(client, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("find the traces of correlation id %s (GetTraceSummaries): %w", id, err)
		}
		sums = append(sums, page.TraceSummaries...)
	}
	sort.SliceStable(sums, func(i, j int) bool {
		return aws.ToTime(sums[i].StartTime).Before(aws.ToTime(sums[j].StartTime))
	})
	seen := map[string]bool{}
	var ids []string
	for _, s := range sums {
		if id := aws.ToString(s.Id); !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// fetchTraces gets the traces with BatchGetTraces, five ids a call. An id
// X-Ray does not know is an error naming it.
func fetchTraces(ctx context.Context, client *xray.Client, ids []string) ([]xraytypes.Trace, error) {
	var traces []xraytypes.Trace
	var unknown []string
	for start := 0; start < len(ids); start += batchGetTracesLimit {
		batch := ids[start:min(start+batchGetTracesLimit, len(ids))]
		p := xray.NewBatchGetTracesPaginator(client, &xray.BatchGetTracesInput{TraceIds: batch})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("get traces %v (BatchGetTraces): %w", batch, err)
			}
			traces = append(traces, page.Traces...)
			unknown = append(unknown, page.UnprocessedTraceIds...)
		}
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("X-Ray has no trace %v (ingestion takes a few seconds on AWS; traces are kept 30 days)", unknown)
	}
	return traces, nil
}

// writeFile writes a file through render, reporting the first error.
func writeFile(path string, render func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := render(f); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
