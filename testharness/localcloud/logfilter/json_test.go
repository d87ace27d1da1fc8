package logfilter

import "testing"

func TestJSONStrings(t *testing.T) {
	expectMatches(t, `{ $.eventType = "UpdateTrail" }`,
		[]string{`{"eventType":"UpdateTrail"}`, " {\"eventType\" : \"UpdateTrail\"}\n", `{"eventType":"Update\u0054rail"}`},
		[]string{`{"eventType":"updatetrail"}`, `{"other":"UpdateTrail"}`, `eventType UpdateTrail`, `{"eventType":"UpdateTrail"`, `["UpdateTrail"]`})
	expectMatches(t, `{ $.eventType = Update* }`, []string{`{"eventType":"UpdateTrail"}`}, []string{`{"eventType":"PutTrail"}`})
	expectMatches(t, `{ $.path = "*/index.*" }`, []string{`{"path":"/a/index.html"}`}, []string{`{"path":"/a/main.html"}`})
	expectMatches(t, `{ $.ip != 123.123.* }`, []string{`{"ip":"10.0.0.1"}`}, []string{`{"ip":"123.123.0.1"}`, `{}`, `{"ip":null}`})
	expectMatches(t, `{ $.a = "*" }`, []string{`{"a":"x"}`, `{"a":""}`, `{"a":5}`, `{"a":true}`}, []string{`{"a":null}`, `{"a":{}}`, `{"a":[]}`, `{"b":1}`})
}

func TestJSONNumbers(t *testing.T) {
	expectMatches(t, `{ $.latency >= 500 }`, []string{`{"latency":500}`, `{"latency":1e3}`, `{"latency":"750"}`}, []string{`{"latency":499.9}`, `{"latency":"slow"}`, `{"latency":[600]}`})
	expectMatches(t, `{ $.n < 10e-3 }`, []string{`{"n":0.001}`, `{"n":-5}`}, []string{`{"n":0.01}`})
	expectMatches(t, `{ $.n = 1e+3 }`, []string{`{"n":1000}`, `{"n":1000.0}`}, []string{`{"n":1001}`})
	expectMatches(t, `{ $.n != 500 }`, []string{`{"n":400}`, `{"n":"abc"}`}, []string{`{"n":500}`, `{"n":5e2}`, `{}`})
	expectMatches(t, `{ $.latency > +1000 }`, []string{`{"latency":1001}`}, []string{`{"latency":1000}`})
	expectMatches(t, `{ $.p[4].avg <= 55.5 }`, []string{`{"p":[0,1,2,3,{"avg":55.5}]}`}, []string{`{"p":[0,1,2,3,{"avg":55.6}]}`, `{"p":{"4":{"avg":1}}}`})
	expectMatches(t, `{ $.code = 4* }`, []string{`{"code":404}`}, []string{`{"code":500}`})
}

func TestJSONKeywords(t *testing.T) {
	expectMatches(t, `{ $.o IS NULL }`, []string{`{"o":null}`}, []string{`{"o":"null"}`, `{}`, `{"o":0}`})
	expectMatches(t, `{ $.f IS TRUE }`, []string{`{"f":true}`}, []string{`{"f":"true"}`, `{"f":false}`, `{}`})
	expectMatches(t, `{ $.f IS FALSE }`, []string{`{"f":false}`}, []string{`{"f":true}`, `{}`})
	expectMatches(t, `{ $.gone NOT EXISTS }`, []string{`{}`, `{"x":1}`, `{"y":{"gone":1}}`}, []string{`{"gone":null}`, `not json`})
	expectMatches(t, `{ $.a.b NOT EXISTS }`, []string{`{"a":"str"}`, `{"a":[1]}`}, []string{`{"a":{"b":[]}}`})
}

func TestJSONNestedAndArrays(t *testing.T) {
	msg := `{"user":{"id":1,"email":"John.Stiles@example.com"},"users":[{"id":2,"email":"John.Doe@example.com"}],"coordinates":[[0,1,2],[4,5,6]]}`
	expectMatches(t, `{ $.coordinates[1][2] = 6 }`, []string{msg}, nil)
	expectMatches(t, `{ $.users[0].email = "John.Doe@example.com" && $.user.id = 1 }`, []string{msg}, nil)
	expectMatches(t, `{ $.users[1].id = 2 }`, nil, []string{msg})
	expectMatches(t, `{ $.detail-type = "Object Created" }`, []string{`{"detail-type":"Object Created"}`}, nil)
	expectMatches(t, `{ $.k = "v" }`, []string{`{"k":"x","k":"v"}`}, nil) // the last duplicate key wins
	expectMatches(t, `{ $.ab = 1 }`, []string{`{"a\u0062":1}`}, nil)
}

func TestJSONBooleanLogic(t *testing.T) {
	p := `{ ($.EventType = "UserCreated") && ($.PK.S = "USER#123") }`
	expectMatches(t, p,
		[]string{`{"EventType":"UserCreated","PK":{"S":"USER#123"},"SK":{"S":"PROFILE"}}`},
		[]string{`{"EventType":"UserDeleted","PK":{"S":"USER#123"}}`, `{"EventType":"UserCreated","PK":{"S":"USER#124"}}`})
	expectMatches(t, `{ $.a = 1 || $.b = 1 && $.c = 1 }`, []string{`{"a":1}`, `{"b":1,"c":1}`}, []string{`{"b":1}`})
	expectMatches(t, `{ ($.a = 1 || $.b = 1) && $.c = 1 }`, []string{`{"a":1,"c":1}`}, []string{`{"a":1}`})
}

func TestJSONRegex(t *testing.T) {
	expectMatches(t, `{ $.eventType = %Trail$% }`, []string{`{"eventType":"UpdateTrail"}`}, []string{`{"eventType":"TrailUpdate"}`})
	expectMatches(t, `{ $.code != %^5\d\d$% }`, []string{`{"code":404}`}, []string{`{"code":503}`})
}

func TestMessageThatIsNotJSONNeverMatches(t *testing.T) {
	expectMatches(t, `{ $.a NOT EXISTS }`, nil, []string{"", "plain text", `{"a":1`, `{"a":1}}`, `{"a":tru}`, `{"a":01}`, `{"a":"\x"}`, "{\"a\":\"\x01\"}", `[1]`, `"s"`, `{} {}`})
}

func TestJSONManySelectors(t *testing.T) {
	// More selectors than the scanner keeps inline.
	p := `{ $.a = 1 && $.b = 2 && $.c = 3 && $.d = 4 && $.e = 5 && $.f = 6 && $.g = 7 && $.h = 8 && $.i = 9 && $.j = 10 }`
	expectMatches(t, p,
		[]string{`{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7,"h":8,"i":9,"j":10}`},
		[]string{`{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7,"h":8,"i":9,"j":11}`})
}

func TestJSONEscapedKeysAndValues(t *testing.T) {
	expectMatches(t, `{ $.ab = "x\"y" }`, []string{`{"a\u0062":"x\"y"}`}, []string{`{"ab":"x\\y"}`})
}
