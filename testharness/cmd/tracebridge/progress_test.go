package main

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"
)

// deployedLine is the line that closes a successful deployment.
var deployedLine = regexp.MustCompile(`deployed stack Tracebridge in \S+ \((\d+) of (\d+) resources\)\n`)

// fakeClock is a clock the test moves.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func TestProgressInALogIsPlainLinesAtMostOneUpdateEveryFewSeconds(t *testing.T) {
	var out bytes.Buffer
	clk := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	p := &progress{w: &out, now: clk.now}
	p.Start("deploying")
	p.Update("0 of 61 resources")
	clk.t = clk.t.Add(2 * time.Second)
	p.Update("7 of 61 resources") // too soon after the start line
	clk.t = clk.t.Add(plainInterval)
	p.Update("40 of 61 resources")
	p.Update("41 of 61 resources")                                              // too soon again
	p.Write([]byte("infra: compiled handlers for linux/amd64: 5 of 5 in 3s\n")) // a command's line: always
	p.Note("a warning")
	p.Done("deployed in 9s (61 of 61 resources)")
	want := "deploying…\n  40 of 61 resources (7s)\n  infra: compiled handlers for linux/amd64: 5 of 5 in 3s (7s)\na warning\ndeployed in 9s (61 of 61 resources)\n"
	if out.String() != want {
		t.Errorf("log:\n%q\nwant\n%q", out.String(), want)
	}
}

func TestProgressOnATerminalIsOneLiveLine(t *testing.T) {
	t.Setenv("COLUMNS", "120")
	var out bytes.Buffer
	clk := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	p := &progress{w: &out, live: true, now: clk.now}
	p.Start("synthesizing the app")
	clk.t = clk.t.Add(12 * time.Second)
	p.Write([]byte("infra: compiling handlers for linux/amd64: 1 of 5 (40 packages compiled, 3s)\ninfra: compil"))
	p.Done("synthesized in 40s")
	got := out.String()
	if strings.Count(got, "\n") != 1 || !strings.HasSuffix(got, "\r\x1b[Ksynthesized in 40s\n") {
		t.Errorf("want one line ended, the rest redrawn in place; got %q", got)
	}
	if !strings.Contains(got, "\r\x1b[Ksynthesizing the app: infra: compiling handlers for linux/amd64: 1 of 5 (40 packages compiled, 3s) (12s)") {
		t.Errorf("the live line does not show the update with the step's elapsed time: %q", got)
	}

	t.Setenv("COLUMNS", "")
	out.Reset()
	p.Start("deploying")
	p.Update(strings.Repeat("x", 100))
	p.Done("deployed")
	if !strings.Contains(out.String(), "\r\x1b[Kdeploying: "+strings.Repeat("x", 63)+"… (0s)\r") {
		t.Errorf("a line wider than the terminal (80 columns unless $COLUMNS) is not cut to fit: %q", out.String())
	}
}

func TestQuietProgressShowsNoStepsButNotes(t *testing.T) {
	var out bytes.Buffer
	p := newProgress(&out, true)
	p.Start("deploying")
	p.Update("1 of 2 resources")
	p.Done("deployed")
	p.Note("the deployment rolled back")
	if out.String() != "the deployment rolled back\n" {
		t.Errorf("quiet progress wrote %q", out.String())
	}
}

// `tracebridge test` tells on stderr, in plain lines when stderr is not a
// terminal, how its deployment goes; with --json it adds nothing to the
// results.
func TestTestShowsProgressOnStderrButNotWithJSON(t *testing.T) {
	plain := runCLI(t, "test", "--assembly", assemblyDir)
	if plain.code != 0 {
		t.Fatalf("exit %d\nstderr:\n%s", plain.code, plain.stderr)
	}
	for _, want := range []string{"deploying " + assemblyDir + " to the local cloud…\n", "deployed stack Tracebridge in "} {
		if !strings.Contains(plain.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, plain.stderr)
		}
	}
	if strings.Contains(plain.stderr, "\r") || strings.Contains(plain.stdout, "deploy") {
		t.Errorf("progress redrawn in a log, or on stdout:\nstdout:\n%s\nstderr:\n%q", plain.stdout, plain.stderr)
	}
	if m := deployedLine.FindStringSubmatch(plain.stderr); m == nil || m[1] != m[2] || m[2] == "0" {
		t.Errorf("the closing line does not count every resource created:\n%s", plain.stderr)
	}

	asJSON := runCLI(t, "test", "--assembly", assemblyDir, "--json")
	if asJSON.code != 0 || asJSON.stderr != "" {
		t.Errorf("--json: exit %d, stderr %q; want 0 and nothing", asJSON.code, asJSON.stderr)
	}
}
