package testharness

import (
	"encoding/json"
	"testing"
	"time"
)

func TestTheTestRunTimesOutWellWithinCloudFormationsHour(t *testing.T) {
	def, err := Definition([]Test{{Name: "T", Deadline: time.Minute, Await: Await{Success: []string{"Done"}}}})
	if err != nil {
		t.Fatal(err)
	}
	var sm struct {
		TimeoutSeconds int `json:"TimeoutSeconds"`
	}
	if err := json.Unmarshal([]byte(def), &sm); err != nil {
		t.Fatal(err)
	}
	if got := time.Duration(sm.TimeoutSeconds) * time.Second; got != RunTimeout || got > 45*time.Minute {
		t.Errorf("state machine TimeoutSeconds = %s, want RunTimeout (%s), well under an hour", got, RunTimeout)
	}
}
