package cdkgo

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestEventPatternRejectsWhatCDKCannotCarry(t *testing.T) {
	tests := []struct {
		name    string
		pattern map[string]any
		want    string
	}{
		{"unknown field", map[string]any{"sauce": []any{"x"}}, `"sauce": not a field`},
		{"detail not an object", map[string]any{"detail": []any{"x"}}, `"detail": want an object`},
		{"field not an array", map[string]any{"source": "aws.s3"}, `"source": want an array`},
		{"content filter at top level", map[string]any{"source": []any{map[string]any{"prefix": "aws."}}}, `"source": element 0`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := EventPattern(tt.pattern)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestEventPatternCarriesEveryTopLevelField(t *testing.T) {
	in := map[string]any{
		"source": []any{"s"}, "detail-type": []any{"dt"}, "account": []any{"a"}, "region": []any{"r"},
		"resources": []any{"arn"}, "id": []any{"i"}, "time": []any{"t"}, "version": []any{"0"},
		"detail": map[string]any{"k": []any{map[string]any{"prefix": "p"}}},
	}
	p, err := EventPattern(in)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]any{
		"source": p.Source, "detail-type": p.DetailType, "account": p.Account, "region": p.Region,
		"resources": p.Resources, "id": p.Id, "time": p.Time, "version": p.Version, "detail": p.Detail,
	}
	gotJSON, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	if wantJSON, _ := json.Marshal(in); string(gotJSON) != string(wantJSON) {
		t.Errorf("pattern:\n got %s\nwant %s", gotJSON, wantJSON)
	}
}
