package dynamodbstreams

import (
	"context"
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
)

func TestRecordsPerViewType(t *testing.T) {
	cases := []struct {
		view                 string
		insertNew, modifyOld bool
		modifyNew, removeOld bool
	}{
		{KeysOnly, false, false, false, false},
		{NewImage, true, false, true, false},
		{OldImage, false, true, false, true},
		{NewAndOldImages, true, true, true, true},
	}
	eventID := regexp.MustCompile(`^[0-9a-f]{32}$`)
	for _, tc := range cases {
		t.Run(tc.view, func(t *testing.T) {
			f := newFixture(t)
			a := f.enable(t, "Users", tc.view)
			f.put(t, a, "INSERT", "USER#1", nil, item("USER#1", "v1"))
			f.put(t, a, "MODIFY", "USER#1", item("USER#1", "v1"), item("USER#1", "v2"))
			f.put(t, a, "REMOVE", "USER#1", item("USER#1", "v2"), nil)

			out := f.records(t, f.iterator(t, a, types.ShardIteratorTypeTrimHorizon, ""), 0)
			if len(out.Records) != 3 {
				t.Fatalf("got %d records, want 3", len(out.Records))
			}
			want := []struct {
				name     types.OperationType
				old, new bool
			}{{"INSERT", false, tc.insertNew}, {"MODIFY", tc.modifyOld, tc.modifyNew}, {"REMOVE", tc.removeOld, false}}
			prev := ""
			for i, r := range out.Records {
				d := r.Dynamodb
				if r.EventName != want[i].name || *r.EventVersion != "1.1" || *r.EventSource != "aws:dynamodb" || *r.AwsRegion != "us-east-1" {
					t.Errorf("record %d: %s %s %s %s", i, r.EventName, *r.EventVersion, *r.EventSource, *r.AwsRegion)
				}
				if !eventID.MatchString(*r.EventID) {
					t.Errorf("record %d: eventID %q is not 32 hex digits", i, *r.EventID)
				}
				if (d.OldImage != nil) != want[i].old || (d.NewImage != nil) != want[i].new {
					t.Errorf("record %d %s: OldImage %v NewImage %v, want old=%v new=%v", i, r.EventName, d.OldImage != nil, d.NewImage != nil, want[i].old, want[i].new)
				}
				if pk := d.Keys["PK"].(*types.AttributeValueMemberS).Value; pk != "USER#1" {
					t.Errorf("record %d: Keys.PK = %q", i, pk)
				}
				if !d.ApproximateCreationDateTime.Equal(epoch) || d.StreamViewType != types.StreamViewType(tc.view) || *d.SizeBytes <= 0 {
					t.Errorf("record %d: time %v view %s size %d", i, d.ApproximateCreationDateTime, d.StreamViewType, *d.SizeBytes)
				}
				if len(*d.SequenceNumber) < 21 || *d.SequenceNumber <= prev {
					t.Errorf("record %d: sequence %q after %q is not an increasing 21-digit number", i, *d.SequenceNumber, prev)
				}
				prev = *d.SequenceNumber
			}
			if tc.view == NewAndOldImages {
				msg := out.Records[1].Dynamodb.OldImage["Message"].(*types.AttributeValueMemberS).Value
				if msg != "v1" {
					t.Errorf("MODIFY OldImage.Message = %q, want v1", msg)
				}
			}
		})
	}
}

// TestEventShapeMatchesDocumentedRecord compares the delivered JSON of a
// record with the record of the DynamoDB Developer Guide's tutorial
// (eventVersion 1.1): the same members at every level.
func TestEventShapeMatchesDocumentedRecord(t *testing.T) {
	raw, err := os.ReadFile("testdata/dynamodb-stream-record.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Additional struct {
			Event struct {
				Records []map[string]any `json:"Records"`
			} `json:"event"`
		} `json:"additional_example"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	want := doc.Additional.Event.Records[0]

	f := newFixture(t)
	a := f.enable(t, "BarkTable", NewImage)
	f.put(t, a, "INSERT", "USER#1", nil, item("USER#1", "bark"))
	sub, from, err := f.svc.Subscribe(a, "TRIM_HORIZON")
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	recs, _ := sub.Read(from, 10)
	var got map[string]any
	if err := json.Unmarshal(recs[0].Event(), &got); err != nil {
		t.Fatal(err)
	}
	if g, w := sortedKeys(got), sortedKeys(want); !slices.Equal(g, w) {
		t.Errorf("record members %v, want %v", g, w)
	}
	if g, w := sortedKeys(got["dynamodb"].(map[string]any)), sortedKeys(want["dynamodb"].(map[string]any)); !slices.Equal(g, w) {
		t.Errorf("dynamodb members %v, want %v", g, w)
	}
	if got["eventSourceARN"] != a || got["eventVersion"] != want["eventVersion"] {
		t.Errorf("eventSourceARN %v eventVersion %v", got["eventSourceARN"], got["eventVersion"])
	}
	if _, isNumber := got["dynamodb"].(map[string]any)["ApproximateCreationDateTime"].(float64); !isNumber {
		t.Errorf("ApproximateCreationDateTime is not epoch seconds: %v", got["dynamodb"])
	}
}

func sortedKeys(m map[string]any) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func TestTTLDeleteHasServiceIdentity(t *testing.T) {
	f := newFixture(t)
	a := f.enable(t, "Users", NewAndOldImages)
	if err := f.svc.Append(context.Background(), Change{StreamARN: a, EventName: "REMOVE", Keys: keys("USER#1"),
		OldImage: item("USER#1", "x"), TTLDelete: true}); err != nil {
		t.Fatal(err)
	}
	f.put(t, a, "REMOVE", "USER#2", item("USER#2", "x"), nil)
	out := f.records(t, f.iterator(t, a, types.ShardIteratorTypeTrimHorizon, ""), 0)
	id := out.Records[0].UserIdentity
	if id == nil || *id.PrincipalId != "dynamodb.amazonaws.com" || *id.Type != "Service" {
		t.Errorf("TTL delete userIdentity = %+v", id)
	}
	if out.Records[1].UserIdentity != nil {
		t.Errorf("user delete has userIdentity %+v", out.Records[1].UserIdentity)
	}
	var ev map[string]any
	sub, from, _ := f.svc.Subscribe(a, "TRIM_HORIZON")
	defer sub.Close()
	recs, _ := sub.Read(from, 1)
	_ = json.Unmarshal(recs[0].Event(), &ev)
	if ui, _ := ev["userIdentity"].(map[string]any); ui["principalId"] != "dynamodb.amazonaws.com" || ui["type"] != "Service" {
		t.Errorf("delivered userIdentity = %v", ev["userIdentity"])
	}
}

func TestAppendRejectsBadChanges(t *testing.T) {
	f := newFixture(t)
	a := f.enable(t, "Users", KeysOnly)
	ctx := context.Background()
	for name, c := range map[string]Change{
		"no stream": {EventName: "INSERT"},
		"bad event": {StreamARN: a, EventName: "UPSERT"},
		"bad json":  {StreamARN: a, EventName: "INSERT", Keys: []byte("{")},
		"bad view":  {StreamARN: a + "x", EventName: "INSERT", StreamViewType: "ALL"},
	} {
		if err := f.svc.Append(ctx, c); err == nil {
			t.Errorf("%s: Append succeeded", name)
		}
	}
	// A change on a stream not enabled yet creates it.
	other := a[:len(a)-1] + "9"
	if err := f.svc.Append(ctx, Change{TableName: "Users", StreamARN: other, StreamViewType: NewImage, EventName: "INSERT", Keys: keys("A")}); err != nil {
		t.Fatal(err)
	}
	if out := f.records(t, f.iterator(t, other, types.ShardIteratorTypeTrimHorizon, ""), 0); len(out.Records) != 1 {
		t.Errorf("implicit stream has %d records", len(out.Records))
	}
}
