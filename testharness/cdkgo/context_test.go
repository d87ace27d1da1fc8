package cdkgo

import "testing"

func TestLocalCloudAssetsIsReadFromTheCDKContextEnvironment(t *testing.T) {
	for _, tt := range []struct {
		env  string
		want bool
	}{
		{"", false},
		{`{"tracebridge:localCloudAssets":true}`, true},
		{`{"tracebridge:localCloudAssets":"true","other":1}`, true},
		{`{"tracebridge:skipTests":true}`, false},
	} {
		t.Setenv("CDK_CONTEXT_JSON", tt.env)
		if got, err := LocalCloudAssets(); err != nil || got != tt.want {
			t.Errorf("CDK_CONTEXT_JSON=%s: %v, %v; want %v", tt.env, got, err, tt.want)
		}
	}
	t.Setenv("CDK_CONTEXT_JSON", "{not json")
	if _, err := LocalCloudAssets(); err == nil {
		t.Error("malformed CDK_CONTEXT_JSON: no error")
	}
}

func TestContextTrue(t *testing.T) {
	for _, tt := range []struct {
		v    any
		want bool
	}{
		{nil, false}, {true, true}, {false, false}, {"true", true}, {"TRUE", true}, {"1", true},
		{"false", false}, {"", false}, {"yes", false}, {3.0, false},
	} {
		if got := ContextTrue(tt.v); got != tt.want {
			t.Errorf("ContextTrue(%#v) = %v, want %v", tt.v, got, tt.want)
		}
	}
}
