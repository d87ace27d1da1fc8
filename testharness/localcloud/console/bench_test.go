package console_test

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ebsdk "github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/chromedp/chromedp"

	"github.com/tracebridge/tracebridge/testharness/localcloud"
	"github.com/tracebridge/tracebridge/testharness/localcloud/eventbridge"
	"github.com/tracebridge/tracebridge/testharness/localcloud/internal/awstest"
	"github.com/tracebridge/tracebridge/testharness/localcloud/observe"
	"github.com/tracebridge/tracebridge/testharness/localcloud/xray/traceheader"
)

// The console's budget is measured with a busy cloud: this many events
// put (each matched against three rules) and traces recorded.
const (
	benchEvents = 10_000
	benchTraces = 1_000
)

// seedEvents puts n events on the default bus, ten per PutEvents, each
// with a correlation id in its detail.
func seedEvents(tb testing.TB, cloud *localcloud.Cloud, n int) {
	tb.Helper()
	ctx := context.Background()
	rules := ebsdk.NewFromConfig(awstest.Config(tb, cloud.Endpoint()))
	for i, pattern := range []string{`{"source":["shop"]}`, `{"source":["bank"]}`, `{"detail-type":["OrderShipped"]}`} {
		if _, err := rules.PutRule(ctx, &ebsdk.PutRuleInput{Name: aws.String(fmt.Sprint("rule-", i)), EventPattern: aws.String(pattern)}); err != nil {
			tb.Fatal(err)
		}
	}
	for i := 0; i < n; i += 10 {
		batch := make([]eventbridge.Entry, 0, 10)
		for j := i; j < min(i+10, n); j++ {
			batch = append(batch, eventbridge.Entry{Source: "shop", DetailType: "OrderPlaced",
				Detail: []byte(fmt.Sprintf(`{"order":"o-%d","correlationId":"c-%d","total":%d}`, j, j, j%500))})
		}
		if _, err := cloud.EventBridge.PutEvents(ctx, batch); err != nil {
			tb.Fatal(err)
		}
	}
}

// BenchmarkConsole measures the console on a cloud holding benchEvents
// events and benchTraces traces: the first paint of the event stream and
// of the trace list (navigation to data on screen), and the time from an
// event's put to its row in an open page. It reports the memory the
// history holds for those events.
func BenchmarkConsole(b *testing.B) {
	cloud := localcloud.RunT(b, localcloud.Options{})
	var heap0, heap1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&heap0)
	seedEvents(b, cloud, benchEvents)
	runtime.GC()
	runtime.ReadMemStats(&heap1)
	st := cloud.Observer().Stats()
	b.Logf("history after %d events: %d records, %.1f MiB counted (%d B a record), live heap +%.1f MiB for the events, rules and history",
		benchEvents, st.Records, float64(st.Bytes)/(1<<20), st.Bytes/int64(st.Records), float64(heap1.HeapAlloc-heap0.HeapAlloc)/(1<<20))
	now := time.Now()
	traces := make([]flowTrace, benchTraces)
	for i := range traces {
		traces[i] = flowTrace{id: traceheader.NewTraceID(now), correlationID: fmt.Sprint("c-", i), fault: i%10 == 0}
	}
	putTraces(b, cloud, traces...)
	browser := startBrowser(b)

	// Each load has an address of its own, so that it is a navigation and
	// not a jump within the page.
	b.Run("first paint/events", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			browser.run(b, "load the console", chromedp.Navigate(fmt.Sprintf("%s?load=%d#events", cloud.ConsoleURL(), i)),
				chromedp.WaitVisible(chromedp.CSS(`body[data-ready="true"] #events-list .row`)))
		}
		ms := get(b, browser, "read the first paint", chromedp.Evaluate[float64](`performance.getEntriesByName('console-ready')[0].startTime`))
		b.ReportMetric(ms, "ms-to-data")
	})
	b.Run("first paint/traces", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			browser.run(b, "load the trace list", chromedp.Navigate(fmt.Sprintf("%s?load=%d#traces", cloud.ConsoleURL(), i)),
				chromedp.WaitVisible(chromedp.CSS(`#traces-table[data-filter] tbody tr`)))
		}
	})
	b.Run("put to page", func(b *testing.B) {
		browser.run(b, "open the event stream", chromedp.Navigate(cloud.ConsoleURL()+"#events"),
			chromedp.WaitVisible(chromedp.CSS(`body[data-ready="true"] #events-list .row`)))
		var total time.Duration
		for i := 0; b.Loop(); i++ {
			// The page notes the wall time the row appears; the put's is
			// taken here, on the same machine's clock.
			browser.run(b, "watch for the row", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`window.seen = new Promise((resolve) => {
				const found = () => [...document.querySelectorAll('#events-list .row[data-kind="event"]')].some((r) => r.textContent.includes('live-%d'));
				new MutationObserver((_, o) => { if (found()) { o.disconnect(); resolve(performance.timeOrigin + performance.now()); } })
					.observe(document.getElementById('events-list'), { childList: true });
			})`, i)))
			put := time.Now()
			if _, err := cloud.EventBridge.PutEvent(context.Background(), eventbridge.Entry{Source: "shop", DetailType: fmt.Sprintf("live-%d", i), Detail: []byte(`{}`)}); err != nil {
				b.Fatal(err)
			}
			seen := get(b, browser, "wait for the row", chromedp.Evaluate[float64](`window.seen`, chromedp.EvalAwaitPromise))
			total += time.UnixMicro(int64(seen * 1000)).Sub(put)
		}
		b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "ms-put-to-row")
	})
	b.Run("history", func(b *testing.B) {
		var st observe.Stats
		for b.Loop() {
			st = cloud.Observer().Stats()
		}
		b.ReportMetric(float64(st.Bytes)/(1<<20), "MiB-held")
		b.ReportMetric(float64(st.Bytes)/float64(st.Records), "B/record")
		b.ReportMetric(float64(st.Records), "records")
	})
	if errs := browser.Errors(); len(errs) > 0 {
		b.Errorf("the page reported errors: %q", errs)
	}
}
