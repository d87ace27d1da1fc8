package sigv4

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// suiteRow is one request of the AWS SigV4 test suite, signed by AWS with
// the suite's example credentials.
type suiteRow struct {
	Name      string `json:"name"`
	Source    string `json:"source"`
	Request   string `json:"request"`
	AccessKey string `json:"access_key"`
	Secret    string `json:"secret"`
	Token     string `json:"token"`
	Now       string `json:"now"`
}

func loadSuite(t testing.TB) []suiteRow {
	t.Helper()
	raw, err := os.ReadFile("testdata/aws-sigv4-suite.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	var rows []suiteRow
	for line := range strings.Lines(string(raw)) {
		var row suiteRow
		if err := json.Unmarshal([]byte(line), &row); err != nil {
			t.Fatalf("decode %q: %v", line, err)
		}
		rows = append(rows, row)
	}
	return rows
}

// TestAWSSuite verifies the suite's signed requests, and checks that each
// stops verifying when its signature loses a character.
func TestAWSSuite(t *testing.T) {
	for _, row := range loadSuite(t) {
		t.Run(row.Name, func(t *testing.T) {
			now, err := time.Parse(time.RFC3339, row.Now)
			if err != nil {
				t.Fatal(err)
			}
			v := Verifier{Family: Query, Lookup: func(id string) (string, string, bool) {
				return row.Secret, row.Token, id == row.AccessKey
			}}
			r, body := parseSuiteRequest(t, row.Request)
			res, err := v.Verify(r, Body(body), now)
			if err != nil {
				t.Fatalf("%s: %v", row.Source, err)
			}
			if res.Service != "service" || res.Region != "us-east-1" || res.AccessKeyID != row.AccessKey {
				t.Errorf("result %+v", res)
			}

			tampered, body := parseSuiteRequest(t, strings.Replace(row.Request, "Signature=", "Signature=0", 1))
			if _, err := v.Verify(tampered, Body(body), now); errorCode(err) != "SignatureDoesNotMatch" {
				t.Errorf("tampered signature: %v", err)
			}
		})
	}
}

func parseSuiteRequest(t *testing.T, text string) (*http.Request, []byte) {
	t.Helper()
	r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(text)))
	if err != nil {
		t.Fatalf("parse request: %v", err)
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	return r, body
}
