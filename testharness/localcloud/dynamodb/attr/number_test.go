package attr

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestNumberCanonical(t *testing.T) {
	for in, want := range map[string]string{"1.50": "1.5", "00042": "42", "-0": "0", "0.0": "0", "1.5E2": "150", "1e-3": "0.001",
		"+7": "7", "-12.340e1": "-123.4", ".5": "0.5", "5.": "5", "100": "100", "1E125": "1" + strings.Repeat("0", 125)} {
		n, err := ParseNumber(in)
		if err != nil || n.String() != want {
			t.Errorf("%s → %s, %v; want %s", in, n, err, want)
		}
	}
	for _, bad := range []string{"", "-", "abc", "1e", "1.2.3", " 1", "NaN", "Infinity", "0x10", "1e+", "--1"} {
		if _, err := ParseNumber(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestNumberCompareAndAdd(t *testing.T) {
	order := []string{"-1E125", "-10", "-2", "-0.5", "0", "1E-130", "0.01", "0.1", "1", "2", "10", "99999999999999999999999999999999999999"}
	for i := range order {
		for j := range order {
			a, b := MustNumber(order[i]), MustNumber(order[j])
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			if got := a.Compare(b); got != want {
				t.Errorf("Compare(%s, %s) = %d, want %d", order[i], order[j], got, want)
			}
		}
	}
	for _, c := range [][3]string{{"0.1", "0.2", "0.3"}, {"-5", "5", "0"}, {"1E20", "1", "100000000000000000001"}, {"1.05", "-0.05", "1"},
		{"9999999999999999999999999999999999999", "1", "10000000000000000000000000000000000000"}} {
		got, err := MustNumber(c[0]).Add(MustNumber(c[1]))
		if err != nil || got.String() != c[2] {
			t.Errorf("%s + %s = %s, %v; want %s", c[0], c[1], got, err, c[2])
		}
	}
	if _, err := MustNumber("9.9999999999999999999999999999999999999E+125").Add(MustNumber("1E+125")); err == nil {
		t.Error("overflowing sum accepted")
	}
}

func TestValueJSONRoundTrip(t *testing.T) {
	in := `{"B":{"B":"AQI="},"BS":{"BS":["AQ==","Ag=="]},"L":{"L":[{"NULL":true},{"BOOL":false}]},"M":{"M":{"e":{"M":{}}}},"N":{"N":"1.5"},"NS":{"NS":["1","2"]},"S":{"S":"é\"x"},"SS":{"SS":["a"]}}`
	var it Item
	if err := json.Unmarshal([]byte(in), &it); err != nil {
		t.Fatal(err)
	}
	out, _ := it.MarshalJSON()
	if string(out) != in {
		t.Fatalf("round trip:\n got %s\nwant %s", out, in)
	}
	for body, msg := range map[string]string{
		`{"S":"a","N":"1"}`:  "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes",
		`{}`:                 "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes",
		`{"NS":["1","1.0"]}`: "One or more parameter values were invalid: Input collection [1, 1] contains duplicates.",
		`{"NULL":false}`:     "One or more parameter values were invalid: Null attribute value types must have the value of true",
		`{"BS":[]}`:          "One or more parameter values were invalid: An binary set  may not be empty",
	} {
		var v Value
		err := json.Unmarshal([]byte(body), &v)
		if err == nil || err.Error() != msg {
			t.Errorf("%s: %v, want %s", body, err, msg)
		}
	}
}

func TestItemSize(t *testing.T) {
	it := Item{"Id": Num(MustNumber("101")), "Message": Str("New item!")}
	if it.Size() != 21 {
		t.Fatalf("size = %d, want 21 (the documented stream record adds up so)", it.Size())
	}
}
