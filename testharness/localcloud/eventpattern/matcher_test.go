package eventpattern

import (
	"errors"
	"slices"
	"strconv"
	"sync"
	"testing"
)

func TestMatcher(t *testing.T) {
	m := NewMatcher()
	for name, p := range map[string]string{
		"s3":       `{"source":["aws.s3"]}`,
		"bucket":   `{"detail":{"bucket":{"name":["DOC-EXAMPLE-BUCKET1"]}}}`,
		"ec2":      `{"source":["aws.ec2"]}`,
		"big-file": `{"detail":{"object":{"size":[{"numeric":[">",1024]}]}}}`,
	} {
		if err := m.Add(name, []byte(p)); err != nil {
			t.Fatal(err)
		}
	}
	ev := s3Event(t)
	if got := m.MatchesFor(ev); !slices.Equal(got, []string{"bucket", "s3"}) {
		t.Errorf("MatchesFor = %v, want [bucket s3]", got)
	}
	m.Remove("s3")
	m.Remove("never-added")
	if err := m.Add("bucket", []byte(`{"source":["aws.ec2"]}`)); err != nil {
		t.Fatal(err)
	}
	if got := m.MatchesFor(ev); len(got) != 0 {
		t.Errorf("after Remove and replace: MatchesFor = %v, want none", got)
	}
	var ipe *InvalidPatternError
	if err := m.Add("bad", []byte(`{"a":"b"}`)); !errors.As(err, &ipe) {
		t.Errorf("Add(bad) = %v, want *InvalidPatternError", err)
	}
}

// TestMatcherConcurrent changes rules while events are matched; run with
// -race.
func TestMatcherConcurrent(t *testing.T) {
	m := NewMatcher()
	ev := s3Event(t)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := "rule-" + strconv.Itoa(w)
			for range 200 {
				if err := m.Add(name, []byte(`{"source":["aws.s3"]}`)); err != nil {
					t.Error(err)
					return
				}
				m.MatchesFor(ev)
				m.Remove(name)
			}
		}()
	}
	wg.Wait()
	if got := m.MatchesFor(ev); len(got) != 0 {
		t.Errorf("MatchesFor after all removed = %v", got)
	}
}
