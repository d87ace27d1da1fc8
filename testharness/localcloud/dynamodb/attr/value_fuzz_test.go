package attr

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// FuzzValueJSON checks the shortcuts of the DynamoDB-JSON codec against
// encoding/json: a plain {"S":…} or {"N":…} decodes as the full decoder
// decodes it, and a string is written as json.Marshal writes it.
func FuzzValueJSON(f *testing.F) {
	for _, seed := range []string{`{"S":"USER#ada"}`, ` { "N" : "-1.50E2" } `, `{"S":"a\"b"}`, `{"S":"<&>"}`, `{"S":"é"}`,
		`{"S":"x","N":"1"}`, `{"s":"lower"}`, `{"N":"1E126"}`, `{"S":""}`, `{"S":"\u2028"}`, "{\"S\":\"\xff\"}", `{"S":1}`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var fast, full Value
		fastErr, fullErr := fast.UnmarshalJSON(data), full.unmarshalWire(data)
		if (fastErr == nil) != (fullErr == nil) || (fastErr != nil && fastErr.Error() != fullErr.Error()) {
			t.Fatalf("%q: error %v, want %v", data, fastErr, fullErr)
		}
		if fastErr == nil && !reflect.DeepEqual(fast, full) {
			t.Fatalf("%q: %+v, want %+v", data, fast, full)
		}
		var buf bytes.Buffer
		writeString(&buf, string(data))
		if want, _ := json.Marshal(string(data)); buf.String() != string(want) {
			t.Fatalf("writeString(%q) = %s, want %s", data, buf.String(), want)
		}
	})
}
