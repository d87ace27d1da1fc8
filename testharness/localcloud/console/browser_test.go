package console_test

import (
	"context"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// browser is a headless Chromium driven through the DevTools protocol,
// with every console error, uncaught exception and failed load the page
// reports collected.
type browser struct {
	ctx    context.Context
	mu     sync.Mutex
	errors []string // guarded by mu
}

// chromiumPath finds Debian's chromium (.ci/run installs it).
func chromiumPath(tb testing.TB) string {
	tb.Helper()
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	tb.Fatal("chromium is not installed: apt-get install -y chromium (.ci/run does)")
	return ""
}

// startBrowser starts Chromium for one test; it ends with the test.
func startBrowser(tb testing.TB) *browser {
	tb.Helper()
	dir := tb.TempDir()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(tb)),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(dir),
		chromedp.WindowSize(1280, 900),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	b := &browser{ctx: ctx}
	// The first call starts the browser: with the context that lives as
	// long as the test, as chromedp requires.
	messages := chromedp.Console(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				b.report(m.String() + " " + m.URL)
			}
		}
	}()
	tb.Cleanup(func() {
		cancelCtx()
		<-done
		cancelAlloc()
	})
	return b
}

func (b *browser) report(msg string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.errors = append(b.errors, msg)
}

// Errors is what the page has complained about so far.
func (b *browser) Errors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.errors...)
}

// run runs actions with a bound, so that a page that never shows what a
// step waits for fails the test instead of hanging it.
func (b *browser) run(tb testing.TB, step string, actions ...chromedp.Action[chromedp.Void]) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		tb.Fatalf("%s: %v (page errors: %q)", step, err, b.Errors())
	}
}

// get runs one action that reads a value, bounded as run is.
func get[T any](tb testing.TB, b *browser, step string, a chromedp.Action[T]) T {
	tb.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		tb.Fatalf("%s: %v (page errors: %q)", step, err, b.Errors())
	}
	return v
}
