package awsproto

import (
	"context"
	"encoding/xml"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestQueryResultMembersSitDirectlyInActionResult(t *testing.T) {
	type stack struct {
		StackName string `xml:"StackName"`
	}
	// A result's own element name never shows: ActionResult replaces it.
	type result struct {
		XMLName xml.Name `xml:"ignored"`
		Stacks  []stack  `xml:"Stacks>member"`
	}
	w := httptest.NewRecorder()
	ctx := WithRequestID(context.Background(), "req-1")
	WriteQueryResult(ctx, w, "urn:ns", "DescribeStacks", result{Stacks: []stack{{StackName: "app"}}})
	want := `<DescribeStacksResponse xmlns="urn:ns"><DescribeStacksResult><Stacks><member><StackName>app</StackName></member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></DescribeStacksResponse>`
	if got := strings.TrimPrefix(w.Body.String(), xml.Header); got != want {
		t.Fatalf("body\n got %s\nwant %s", got, want)
	}
}

func TestQueryErrorShape(t *testing.T) {
	w := httptest.NewRecorder()
	ctx := WithRequestID(context.Background(), "req-2")
	WriteQueryError(ctx, w, "urn:ns", ValidationError("Stack with id x does not exist"))
	want := `<ErrorResponse xmlns="urn:ns"><Error><Type>Sender</Type><Code>ValidationException</Code><Message>Stack with id x does not exist</Message></Error><RequestId>req-2</RequestId></ErrorResponse>`
	if got := strings.TrimPrefix(w.Body.String(), xml.Header); w.Code != 400 || got != want {
		t.Fatalf("status %d body\n got %s\nwant %s", w.Code, got, want)
	}
}
