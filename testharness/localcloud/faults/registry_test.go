package faults

import (
	"math/rand"
	"testing"
)

var getObject = Request{Service: "s3", Operations: []string{"s3:GetObject"},
	Resources: []string{"arn:aws:s3:::uploads/images/a.png"},
	Principal: "arn:aws:iam::000000000000:role/ImageFunctionRole"}

func TestHitMatchesServiceOperationResourcePrincipal(t *testing.T) {
	cases := []struct {
		name string
		spec Spec
		want bool
	}{
		{"service only", Spec{Service: "s3"}, true},
		{"other service", Spec{Service: "dynamodb"}, false},
		{"IAM action", Spec{Service: "s3", Operation: "s3:getobject"}, true},
		{"operation without prefix", Spec{Service: "s3", Operation: "GetObject"}, true},
		{"other operation", Spec{Service: "s3", Operation: "PutObject"}, false},
		{"whole ARN", Spec{Service: "s3", Resource: "arn:aws:s3:::uploads/images/a.png"}, true},
		{"resource part pattern", Spec{Service: "s3", Resource: "uploads/*"}, true},
		{"name pattern", Spec{Service: "s3", Resource: "images/?.png"}, true},
		{"other resource", Spec{Service: "s3", Resource: "other/*"}, false},
		{"role name", Spec{Service: "s3", Principal: "Image*"}, true},
		{"role ARN", Spec{Service: "s3", Principal: "arn:aws:iam::000000000000:role/ImageFunctionRole"}, true},
		{"other role", Spec{Service: "s3", Principal: "AuditFunctionRole"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := NewRegistry(rand.NewSource(1))
			c.spec.Action = Error
			if _, err := r.Add(c.spec); err != nil {
				t.Fatal(err)
			}
			if _, got := r.Hit(getObject, Error); got != c.want {
				t.Errorf("hit = %v, want %v", got, c.want)
			}
		})
	}
}

func TestHitOnlyTakesTheCallersActions(t *testing.T) {
	r := NewRegistry(rand.NewSource(1))
	if _, err := r.Add(Spec{Service: "lambda", Action: Kill}); err != nil {
		t.Fatal(err)
	}
	req := Request{Service: "lambda", Operations: []string{"lambda:InvokeFunction"}}
	if _, hit := r.Hit(req, Error, Latency); hit {
		t.Error("the gateway's actions hit a kill fault")
	}
	if _, hit := r.Hit(req, Fail, Timeout, Kill); !hit {
		t.Error("the invocation's actions missed a kill fault")
	}
}

func TestCountLimitsHitsAndRemovesTheFault(t *testing.T) {
	r := NewRegistry(rand.NewSource(1))
	if _, err := r.Add(Spec{Service: "s3", Action: Error, Count: 2}); err != nil {
		t.Fatal(err)
	}
	var hits int
	for range 5 {
		if _, hit := r.Hit(getObject, Error); hit {
			hits++
		}
	}
	if hits != 2 || len(r.List()) != 0 {
		t.Errorf("hits = %d, faults left %v; want 2 hits and none left", hits, r.List())
	}
}

func TestProbabilityDrawsFromTheSource(t *testing.T) {
	hits := func(seed int64) (n int) {
		r := NewRegistry(rand.NewSource(seed))
		if _, err := r.Add(Spec{Service: "s3", Action: Error, Probability: 0.25}); err != nil {
			t.Fatal(err)
		}
		for range 1000 {
			if _, hit := r.Hit(getObject, Error); hit {
				n++
			}
		}
		return n
	}
	first := hits(7)
	if first < 200 || first > 300 {
		t.Errorf("%d of 1000 hit at p=0.25", first)
	}
	if again := hits(7); again != first {
		t.Errorf("the same seed hit %d, then %d", first, again)
	}
}

func TestAddFillsServiceDefaultsAndRejectsNonsense(t *testing.T) {
	r := NewRegistry(rand.NewSource(1))
	f, err := r.Add(Spec{Service: "DynamoDB", Action: Error})
	if err != nil {
		t.Fatal(err)
	}
	if f.ErrorCode != "ProvisionedThroughputExceededException" || f.StatusCode != 400 || f.Message == "" {
		t.Errorf("DynamoDB default = %+v", f.Spec)
	}
	f, _ = r.Add(Spec{Service: "s3", Action: Error})
	if f.ErrorCode != "SlowDown" || f.StatusCode != 503 || f.Message != "Please reduce your request rate." {
		t.Errorf("S3 default = %+v", f.Spec)
	}
	f, _ = r.Add(Spec{Service: "events", Action: EntryError})
	if f.ErrorCode != "InternalFailure" || f.Message != "The request processing has failed because of an unknown error, exception or failure." {
		t.Errorf("EventBridge entry default = %+v", f.Spec)
	}
	for _, bad := range []Spec{
		{Action: Error},
		{Service: "s3", Action: Kill},
		{Service: "s3", Action: EntryError},
		{Service: "s3", Action: Latency},
		{Service: "s3", Action: "explode"},
		{Service: "s3", Action: Error, Probability: 1.5},
		{Service: "s3", Action: Error, StatusCode: 200},
	} {
		if _, err := r.Add(bad); err == nil {
			t.Errorf("Add(%+v) accepted", bad)
		}
	}
}

func TestRemoveAndClear(t *testing.T) {
	r := NewRegistry(rand.NewSource(1))
	a, _ := r.Add(Spec{Service: "s3", Action: Error})
	if _, err := r.Add(Spec{Service: "logs", Action: Error}); err != nil {
		t.Fatal(err)
	}
	if !r.Remove(a.ID) || r.Remove(a.ID) {
		t.Error("Remove: want true once, then false")
	}
	if r.Targets("s3") || !r.Targets("logs") {
		t.Error("Targets after Remove")
	}
	r.Clear()
	if len(r.List()) != 0 {
		t.Error("Clear left faults")
	}
}

func TestGlob(t *testing.T) {
	for _, c := range []struct {
		p, s string
		want bool
	}{
		{"*", "", true}, {"a*c", "abbbc", true}, {"a*c", "abcd", false}, {"*/x", "a/b/x", true},
		{"a?c", "abc", true}, {"a?c", "ac", false}, {"*b*b", "abab", true}, {"abc", "abc", true},
	} {
		if got := glob(c.p, c.s); got != c.want {
			t.Errorf("glob(%q, %q) = %v", c.p, c.s, got)
		}
	}
}
