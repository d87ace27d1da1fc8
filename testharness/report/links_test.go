package report

import (
	"bytes"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestXRayTraceURLByPartition(t *testing.T) {
	const id = "1-6744a1b0-0123456789abcdef01234567"
	for region, want := range map[string]string{
		"eu-west-1":     "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#xray:traces/" + id,
		"cn-north-1":    "https://console.amazonaws.cn/cloudwatch/home?region=cn-north-1#xray:traces/" + id,
		"us-gov-west-1": "https://console.amazonaws-us-gov.com/cloudwatch/home?region=us-gov-west-1#xray:traces/" + id,
	} {
		if got := XRayTraceURL(region, id); got != want {
			t.Errorf("%s:\n got %s\nwant %s", region, got, want)
		}
	}
}

// decodeInsights undoes the console's encoding of a Logs Insights query
// detail: $ back to %, two rounds of percent-decoding, then *XX.
func decodeInsights(t *testing.T, u string) string {
	t.Helper()
	_, frag, ok := strings.Cut(u, "#logsV2:logs-insights")
	if !ok {
		t.Fatalf("%s is not a Logs Insights URL", u)
	}
	s := strings.ReplaceAll(frag, "$", "%")
	for range 2 {
		var err error
		if s, err = url.PathUnescape(s); err != nil {
			t.Fatalf("decode %s: %v", frag, err)
		}
	}
	s, err := url.PathUnescape(strings.ReplaceAll(s, "*", "%"))
	if err != nil {
		t.Fatalf("decode values of %s: %v", frag, err)
	}
	return s
}

func TestLogsInsightsURLEncodesAsTheConsoleDoes(t *testing.T) {
	start := time.Date(2026, 11, 25, 14, 0, 0, 0, time.UTC)
	u := LogsInsightsURL("us-east-1", []string{"/aws/lambda/fn-a", "/aws/lambda/fn-b"}, start, start.Add(time.Minute),
		"fields @message\n| filter @message like \"c-1\"")
	// The shape of a URL the console writes (a Logs Insights page's
	// address, as people have taken it apart): ~( ' ) written $257E
	// $2528 $2527 $2529, values' other bytes *XX.
	wantPrefix := "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#logsV2:logs-insights$3FqueryDetail$3D" +
		"$257E$2528end$257E$25272026-11-25T14*3A01*3A00.000Z$257Estart$257E$25272026-11-25T14*3A00*3A00.000Z" +
		"$257EtimeType$257E$2527ABSOLUTE$257Etz$257E$2527UTC$257EeditorString$257E$2527fields*20*40message*0A*7C*20filter"
	if !strings.HasPrefix(u, wantPrefix) {
		t.Errorf("got\n%s\nwant it to start\n%s", u, wantPrefix)
	}
	if strings.ContainsAny(u[strings.Index(u, "#"):], "%~()'\" \n/") {
		t.Errorf("the fragment has characters the console writes encoded: %s", u)
	}
	want := "?queryDetail=~(end~'2026-11-25T14:01:00.000Z~start~'2026-11-25T14:00:00.000Z~timeType~'ABSOLUTE~tz~'UTC" +
		"~editorString~'fields @message\n| filter @message like \"c-1\"~source~(~'/aws/lambda/fn-a~'/aws/lambda/fn-b))"
	if got := decodeInsights(t, u); got != want {
		t.Errorf("decoded\n%s\nwant\n%s", got, want)
	}
}

func TestTextCarriesTheLinksUnderEachResult(t *testing.T) {
	run := sample()
	var out bytes.Buffer
	if err := Text(&out, run, AWSLinks("eu-central-1", []string{"/aws/lambda/app-ImageFn"}, run)); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(out.String(), "\n")
	if !strings.HasPrefix(lines[0], "PASS  s3_png_metadata") ||
		!strings.HasPrefix(lines[1], "      trace https://eu-central-1.console.aws.amazon.com/cloudwatch/home?region=eu-central-1#xray:traces/1-6744a1b0-") ||
		!strings.Contains(lines[1], "  logs https://eu-central-1.console.aws.amazon.com/cloudwatch/home?region=eu-central-1#logsV2:logs-insights$3F") {
		t.Errorf("first result:\n%s\n%s", lines[0], lines[1])
	}
	// The failed test has no trace: its logs link alone, found by its
	// correlation id.
	if !strings.HasPrefix(lines[2], "FAIL  ddb_user_audit_log") || !strings.HasPrefix(lines[3], "      logs https://") {
		t.Errorf("second result:\n%s\n%s", lines[2], lines[3])
	}
	if !strings.Contains(decodeInsights(t, lines[3]), `like "c-2"`) {
		t.Errorf("the logs link does not look for c-2: %s", decodeInsights(t, lines[3]))
	}
}

func TestLocalLinksOpenTheConsole(t *testing.T) {
	run := sample()
	var out bytes.Buffer
	if err := JSON(&out, run, LocalLinks("http://127.0.0.1:4566/_tracebridge/console/")); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`"traceUrl": "http://127.0.0.1:4566/_tracebridge/console/#trace/1-6744a1b0-0123456789abcdef01234567"`,
		`"logsUrl": "http://127.0.0.1:4566/_tracebridge/console/#events/trace/1-6744a1b0-0123456789abcdef01234567"`,
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("JSON lacks %s:\n%s", want, out.String())
		}
	}
}
