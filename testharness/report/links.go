package report

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/tracebridge/tracebridge/testharness"
)

// Links are where a person looks at one test's trace and log lines.
type Links struct {
	Trace string
	Logs  string
}

// Linker gives the links of a test's result; nil gives none.
type Linker func(testharness.Result) Links

func (l Linker) of(r testharness.Result) Links {
	if l == nil {
		return Links{}
	}
	return l(r)
}

// consoleHost is the AWS Management Console's host for a region, by its
// partition: aws (us-east-1.console.aws.amazon.com), aws-cn
// (console.amazonaws.cn) and aws-us-gov (console.amazonaws-us-gov.com).
// The X-Ray developer guide ("Viewing traces and trace details") and the
// AWS GovCloud (US) user guide ("Configuring your account") name them.
func consoleHost(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "console.amazonaws.cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "console.amazonaws-us-gov.com"
	}
	return region + ".console.aws.amazon.com"
}

// cloudWatchHome is the CloudWatch console of a region; X-Ray's traces and
// CloudWatch Logs live in it.
func cloudWatchHome(region string) string {
	return "https://" + consoleHost(region) + "/cloudwatch/home?region=" + url.QueryEscape(region)
}

// XRayTraceURL is the CloudWatch console's page of one X-Ray trace: its
// map and timeline.
func XRayTraceURL(region, traceID string) string {
	return cloudWatchHome(region) + "#xray:traces/" + url.PathEscape(traceID)
}

// LogsInsightsURL is a CloudWatch Logs Insights page that runs query over
// the log groups between start and end. The console reads the page's
// state from the fragment, encoded its own way: the query detail is an
// object written as ~(key~value…), strings prefixed with ' and their
// bytes other than letters, digits, '-', '.' and '_' written *XX; that
// whole string is then percent-encoded twice with % written as $.
func LogsInsightsURL(region string, groups []string, start, end time.Time, query string) string {
	// A Logs Insights query reads at most 50 log groups (CloudWatch Logs
	// API reference, StartQuery: logGroupNames).
	groups = groups[:min(len(groups), maxInsightsGroups)]
	var d strings.Builder
	d.WriteString("~(end~'" + insightsString(end.UTC().Format("2006-01-02T15:04:05.000Z")))
	d.WriteString("~start~'" + insightsString(start.UTC().Format("2006-01-02T15:04:05.000Z")))
	d.WriteString("~timeType~'ABSOLUTE~tz~'UTC~editorString~'" + insightsString(query))
	d.WriteString("~source~(")
	for _, g := range groups {
		d.WriteString("~'" + insightsString(g))
	}
	d.WriteString("))")
	var frag strings.Builder
	for _, c := range []byte(d.String()) {
		switch c {
		case '~', '(', ')', '\'':
			fmt.Fprintf(&frag, "$25%02X", c)
		default:
			frag.WriteByte(c)
		}
	}
	return cloudWatchHome(region) + "#logsV2:logs-insights$3FqueryDetail$3D" + frag.String()
}

const maxInsightsGroups = 50

// insightsString writes a string value of the Logs Insights query detail.
func insightsString(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '.', c == '_':
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "*%02X", c)
		}
	}
	return b.String()
}

// AWSLinks links each test to the AWS consoles of the stack's region: the
// X-Ray trace, and a Logs Insights query of the stack's function log
// groups for the lines naming the test's correlation id, over the run's
// time (a minute either side, for clocks and late lines).
func AWSLinks(region string, logGroups []string, run testharness.RunReport) Linker {
	return func(r testharness.Result) Links {
		var l Links
		if r.TraceID != "" {
			l.Trace = XRayTraceURL(region, r.TraceID)
		}
		if r.CorrelationID != "" && len(logGroups) > 0 && !run.StartedAt.IsZero() {
			query := fmt.Sprintf("fields @timestamp, @log, @message\n| filter @message like %q\n| sort @timestamp asc", r.CorrelationID)
			l.Logs = LogsInsightsURL(region, logGroups, run.StartedAt.Add(-time.Minute), run.EndedAt.Add(time.Minute), query)
		}
		return l
	}
}

// LocalLinks links each test to the local cloud's console: the trace, and
// the history of that trace (its events, invocations and their log lines).
func LocalLinks(consoleURL string) Linker {
	return func(r testharness.Result) Links {
		if r.TraceID == "" {
			return Links{}
		}
		id := url.PathEscape(r.TraceID)
		return Links{Trace: consoleURL + "#trace/" + id, Logs: consoleURL + "#events/trace/" + id}
	}
}
