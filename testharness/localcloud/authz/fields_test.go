package authz

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

// fieldsSeeds are request bodies whose resource names decodeFields must
// read as encoding/json does.
var fieldsSeeds = []string{
	`{"TableName":"T","Item":{"PK":{"S":"a}\"]"},"L":{"L":[{"N":"1"},{"M":{}}]}}}`,
	` { "tablename" : "lower" , "TABLENAME":"upper" } `,
	`{"TableName":"first","TableName":"second"}`,
	`{"TableName":"caf\u00e9\n","IndexName":"é"}`,
	`{"TableName":42,"IndexName":"kept"}`,
	`{"TableName":null}`,
	`{"RequestItems":{"A":{"Keys":[]},"B":[]},"TransactItems":[{"Put":{"TableName":"P"}},{"Get":{"TableName":"G"}}]}`,
	`{"Entries":[{"EventBusName":"app","Detail":"{\"a\":[1,2]}"},{"Source":"x"}],"EventBusName":"ignored"}`,
	`{"logGroupName":"/aws/lambda/fn","logStreamName":"2026/[$LATEST]","logEvents":[{"timestamp":1,"message":"m"}]}`,
	`{"Entries":"not a list","Name":"n"}`,
	`{"\u0054ableName":"escaped name"}`,
	`[]`, `"string"`, `null`, `{}`, `{"a":true,"b":false,"c":-1.5e3}`,
	`{"TableName":"T"`, `{"TableName":}`, `not json`,
}

func TestDecodeFieldsReadsAsEncodingJSON(t *testing.T) {
	for _, body := range fieldsSeeds {
		compareWithEncodingJSON(t, []byte(body))
	}
}

func FuzzDecodeFields(f *testing.F) {
	for _, body := range fieldsSeeds {
		f.Add([]byte(body))
	}
	f.Fuzz(compareWithEncodingJSON)
}

// compareWithEncodingJSON checks that decodeFields fills what
// json.Unmarshal fills and fails where it fails on syntax.
func compareWithEncodingJSON(t *testing.T, body []byte) {
	var want, got fields
	var typeErr *json.UnmarshalTypeError
	wantErr := json.Unmarshal(body, &want)
	if errors.As(wantErr, &typeErr) {
		wantErr = nil // encoding/json goes on after a member of another type
	}
	gotErr := decodeFields(body, &got)
	if (wantErr != nil) != (gotErr != nil) {
		t.Fatalf("%q: error %v, encoding/json's %v", body, gotErr, wantErr)
	}
	if wantErr == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("%q:\n got %+v\nwant %+v", body, got, want)
	}
}
