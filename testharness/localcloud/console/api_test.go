package console_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud"
	"github.com/tracebridge/tracebridge/testharness/localcloud/cloudformation"
	"github.com/tracebridge/tracebridge/testharness/localcloud/observe"
)

// sseEvent is one server-sent event.
type sseEvent struct{ name, data, id string }

// readEvent reads the next event of a stream.
func readEvent(t *testing.T, r *bufio.Reader) sseEvent {
	t.Helper()
	var e sseEvent
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("stream ended: %v (event so far %+v)", err, e)
		}
		line = strings.TrimSuffix(line, "\n")
		if line == "" {
			if e.name != "" || e.id != "" {
				return e
			}
			continue
		}
		k, v, _ := strings.Cut(line, ": ")
		switch k {
		case "event":
			e.name = v
		case "data":
			e.data = v
		case "id":
			e.id = v
		}
	}
}

func TestStreamSendsWhatComesAfterAndEndsWhenTheCloudCloses(t *testing.T) {
	cloud, err := localcloud.Start(localcloud.Options{})
	if err != nil {
		t.Fatal(err)
	}
	history := cloud.Observer()
	history.Fault("", observe.Fault{ID: "before"})
	history.Fault("", observe.Fault{ID: "first"})

	resp, err := http.Get(cloud.ConsoleURL() + "api/stream?after=1")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != http.StatusOK || ct != "text/event-stream" {
		t.Fatalf("status %d, content type %q", resp.StatusCode, ct)
	}
	events := bufio.NewReader(resp.Body)
	faultID := func(e sseEvent) string {
		var rec observe.Record
		if e.name != "record" || json.Unmarshal([]byte(e.data), &rec) != nil || rec.Fault == nil {
			t.Fatalf("event %+v: want a fault record", e)
		}
		return rec.Fault.ID
	}
	if id := faultID(readEvent(t, events)); id != "first" {
		t.Errorf("first event is fault %q, want the one after seq 1", id)
	}
	if e := readEvent(t, events); e.id != "2" {
		t.Errorf("after the batch: %+v, want id 2 (where a reconnection resumes)", e)
	}
	history.Fault("", observe.Fault{ID: "live"})
	if id := faultID(readEvent(t, events)); id != "live" {
		t.Errorf("live event is fault %q", id)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	if err := cloud.Close(ctx); err != nil {
		t.Fatalf("close with a stream open: %v", err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("close took %s with a stream open: the stream held the shutdown", took)
	}
	if _, err := io.ReadAll(events); err != nil {
		t.Errorf("the stream did not end cleanly: %v", err)
	}
}

func TestRecordsAPIRefusesABadQuery(t *testing.T) {
	cloud := localcloud.RunT(t, localcloud.Options{})
	for _, q := range []string{"limit=0", "limit=x", "after=-1", "before=z"} {
		resp, err := http.Get(cloud.ConsoleURL() + "api/records?" + q)
		if err != nil {
			t.Fatal(err)
		}
		var body struct{ Message string }
		_ = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || body.Message == "" {
			t.Errorf("%s: status %d, message %q; want 400 with a message", q, resp.StatusCode, body.Message)
		}
	}
}

func TestStacksAPIListsResourcesWithPhysicalIDs(t *testing.T) {
	cloud := localcloud.RunT(t, localcloud.Options{})
	ctx := context.Background()
	template := `{"Resources": {
		"Orders": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "orders"}},
		"AppBus": {"Type": "AWS::Events::EventBus", "Properties": {"Name": "app"}},
		"Uploads": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "uploads",
			"NotificationConfiguration": {"EventBridgeConfiguration": {"EventBridgeEnabled": true}}}},
		"OnOrder": {"Type": "AWS::Events::Rule", "Properties": {"Name": "on-order", "EventBusName": {"Ref": "AppBus"},
			"EventPattern": {"source": ["shop"]}, "Targets": [{"Id": "q", "Arn": {"Fn::GetAtt": ["Orders", "Arn"]}}]}}}}`
	if _, err := cloud.CloudFormation.DeployTemplate(ctx, cloudformation.TemplateInput{StackName: "Shop", Body: []byte(template)}); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(cloud.ConsoleURL() + "api/stacks")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got struct {
		Stacks []struct {
			Name, Status string
			Resources    []struct {
				LogicalID, Type, PhysicalID string
				Glue                        *struct {
					From   []string
					Filter string
					To     []string
				}
			}
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if len(got.Stacks) != 1 || got.Stacks[0].Name != "Shop" || got.Stacks[0].Status != "CREATE_COMPLETE" {
		t.Fatalf("stacks %+v", got.Stacks)
	}
	// The glue as deployed: the bucket sends to EventBridge, the rule
	// takes the shop's events from the app bus to the queue.
	wantGlue := map[string]string{
		"OnOrder": `[app] {"source":["shop"]} [arn:aws:sqs:us-east-1:000000000000:orders]`,
		"Uploads": `[uploads]  [EventBridge default bus]`,
	}
	var listed []string
	for _, r := range got.Stacks[0].Resources {
		listed = append(listed, r.LogicalID+" "+r.Type+" "+r.PhysicalID)
		glue := ""
		if r.Glue != nil {
			glue = fmt.Sprintf("%v %s %v", r.Glue.From, r.Glue.Filter, r.Glue.To)
		}
		if glue != wantGlue[r.LogicalID] {
			t.Errorf("%s's glue %q, want %q", r.LogicalID, glue, wantGlue[r.LogicalID])
		}
	}
	want := "[AppBus AWS::Events::EventBus app OnOrder AWS::Events::Rule app|on-order Orders AWS::SQS::Queue " + cloud.Endpoint() +
		"/000000000000/orders Uploads AWS::S3::Bucket uploads]"
	if fmt.Sprint(listed) != want {
		t.Errorf("resources %s\nwant %s", listed, want)
	}
}
