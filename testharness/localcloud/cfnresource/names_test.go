package cfnresource

import (
	"regexp"
	"strings"
	"testing"
)

var tailRE = regexp.MustCompile(`-[A-Z0-9]{12}$`)

func TestGeneratedNameKeepsBothPartsWhenTheyFit(t *testing.T) {
	got := Request{StackName: "App", LogicalID: "Table"}.GeneratedName(255)
	if !strings.HasPrefix(got, "App-Table-") || !tailRE.MatchString(got) || len(got) != len("App-Table-")+12 {
		t.Fatalf("got %q", got)
	}
}

// The three lengths are those of names real CloudFormation generated for a
// 26-character stack name (KensioSoftware/yulin issue 1113): the stack
// name keeps 25 characters, the logical id what is left.
func TestGeneratedNameSharesTheRoomBetweenStackAndLogicalID(t *testing.T) {
	req := Request{StackName: "ChineseboostAnalyticsStack", LogicalID: "RainlyticsSummariesJobFunctionServiceRole"}
	for _, c := range []struct {
		max  int
		want string
	}{
		{64, "ChineseboostAnalyticsStac-RainlyticsSummariesJobFun-"},
		{63, "ChineseboostAnalyticsStac-RainlyticsSummariesJobFu-"},
		{512, "ChineseboostAnalyticsStack-RainlyticsSummariesJobFunctionServiceRole-"},
	} {
		got := req.GeneratedName(c.max)
		if !strings.HasPrefix(got, c.want) || !tailRE.MatchString(got) || len(got) != len(c.want)+12 || len(got) > c.max {
			t.Errorf("max %d: got %q, want %q + 12 characters", c.max, got, c.want)
		}
	}
}

func TestGeneratedNameGivesAShortPartsRoomToTheOther(t *testing.T) {
	got := Request{StackName: "S", LogicalID: strings.Repeat("L", 80)}.GeneratedName(64)
	if want := "S-" + strings.Repeat("L", 49) + "-"; !strings.HasPrefix(got, want) || len(got) != 64 {
		t.Fatalf("got %q (%d), want %q + tail", got, len(got), want)
	}
	got = Request{StackName: strings.Repeat("S", 80), LogicalID: "L"}.GeneratedName(64)
	if want := strings.Repeat("S", 49) + "-L-"; !strings.HasPrefix(got, want) || len(got) != 64 {
		t.Fatalf("got %q (%d), want %q + tail", got, len(got), want)
	}
}

func TestGeneratedNameWithoutStackName(t *testing.T) {
	got := Request{LogicalID: strings.Repeat("M", 100)}.GeneratedName(80)
	if want := strings.Repeat("M", 67) + "-"; !strings.HasPrefix(got, want) || len(got) != 80 || !tailRE.MatchString(got) {
		t.Fatalf("got %q (%d)", got, len(got))
	}
}

func TestGeneratedNamesDiffer(t *testing.T) {
	req := Request{StackName: "App", LogicalID: "Queue"}
	if a, b := req.GeneratedName(80), req.GeneratedName(80); a == b {
		t.Fatalf("two generated names are both %q", a)
	}
}

func TestDecodeProperties(t *testing.T) {
	req := Request{Type: "AWS::X::Y", LogicalID: "R", Properties: map[string]any{"Name": "n", "Size": float64(3)}}
	var props struct {
		Name string
		Size int
	}
	if err := req.DecodeProperties(&props); err != nil || props.Name != "n" || props.Size != 3 {
		t.Fatalf("got %+v, %v", props, err)
	}
	var wrong struct{ Name int }
	err := req.DecodeProperties(&wrong)
	if err == nil || !strings.HasPrefix(err.Error(), "AWS::X::Y R: properties: ") {
		t.Fatalf("got %v", err)
	}
}
