package localcloud_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tracebridge/tracebridge/testharness/localcloud"
)

// TestUnsignedRequestsOfEveryServiceAreRefusedInItsShape: an unsigned
// request carries no signing name, so the gateway tells its service by
// X-Amz-Target, path or query API Version — not S3's fallback — and
// answers MissingAuthenticationToken in that service's protocol.
func TestUnsignedRequestsOfEveryServiceAreRefusedInItsShape(t *testing.T) {
	cloud := localcloud.RunT(t, localcloud.Options{})
	query := func(action, version string) url.Values { return url.Values{"Action": {action}, "Version": {version}} }
	cases := []struct {
		name, path, contentType, body string
		status                        int
		want                          string // in the body or X-Amzn-ErrorType
	}{
		{"STS", "/", "application/x-www-form-urlencoded", query("GetCallerIdentity", "2011-06-15").Encode(),
			http.StatusForbidden, "<Code>MissingAuthenticationToken</Code>"},
		{"IAM", "/", "application/x-www-form-urlencoded", query("ListRoles", "2010-05-08").Encode(),
			http.StatusForbidden, "<Code>MissingAuthenticationToken</Code>"},
		{"CloudFormation", "/", "application/x-www-form-urlencoded", query("DescribeStacks", "2010-05-15").Encode(),
			http.StatusForbidden, "<Code>MissingAuthenticationToken</Code>"},
		{"SQS query", "/", "application/x-www-form-urlencoded", query("ListQueues", "2012-11-05").Encode(),
			http.StatusForbidden, "<Code>MissingAuthenticationToken</Code>"},
		{"X-Ray", "/TraceSummaries", "application/json", `{"StartTime":1,"EndTime":2}`,
			http.StatusForbidden, "MissingAuthenticationTokenException"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, err := http.Post(cloud.Endpoint()+c.path, c.contentType, strings.NewReader(c.body))
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			got := string(body) + " " + resp.Header.Get("X-Amzn-Errortype")
			if resp.StatusCode != c.status || !strings.Contains(got, c.want) {
				t.Errorf("%d %s, want %d with %s", resp.StatusCode, got, c.status, c.want)
			}
		})
	}
}
