package eventpattern

import "testing"

func TestExactValues(t *testing.T) {
	checkPattern(t, `{"source":["aws.s3","aws.ec2"]}`,
		[]string{`{"source":"aws.s3"}`, `{"source":"aws.ec2"}`, `{"source":["x","aws.s3"]}`},
		[]string{`{"source":"AWS.S3"}`, `{"source":"aws.s3 "}`, `{}`, `{"source":null}`, `{"other":"aws.s3"}`})
	checkPattern(t, `{"b":[true],"n":[null]}`,
		[]string{`{"b":true,"n":null}`},
		[]string{`{"b":"true","n":null}`, `{"b":true,"n":"null"}`, `{"b":false,"n":null}`, `{"b":true}`})
	checkPattern(t, `{"empty":[""]}`,
		[]string{`{"empty":""}`},
		[]string{`{"empty":null}`, `{}`})
}

func TestExactNumbers(t *testing.T) {
	checkPattern(t, `{"n":[300]}`,
		[]string{`{"n":300}`, `{"n":300.0}`, `{"n":3.0e2}`, `{"n":[1,300]}`},
		[]string{`{"n":"300"}`, `{"n":300.1}`, `{"n":-300}`})
	// Beyond ±5e9 numbers have no comparable form and match only as text.
	checkPattern(t, `{"account":[123456789012]}`,
		[]string{`{"account":123456789012}`},
		[]string{`{"account":123456789012.0}`, `{"account":"123456789012"}`})
	checkPattern(t, `{"s":["300"]}`, []string{`{"s":"300"}`}, []string{`{"s":300}`})
}

func TestPrefixSuffix(t *testing.T) {
	checkPattern(t, `{"time":[{"prefix":"2017-10-02"}]}`,
		[]string{`{"time":"2017-10-02T18:43:48Z"}`, `{"time":"2017-10-02"}`},
		[]string{`{"time":"2017-10-03T00:00:00Z"}`, `{"time":20171002}`, `{}`})
	checkPattern(t, `{"key":[{"suffix":".png"}]}`,
		[]string{`{"key":"a/b.png"}`},
		[]string{`{"key":"a/b.PNG"}`, `{"key":"png"}`})
	checkPattern(t, `{"key":[{"prefix":{"equals-ignore-case":"Ünï"}}]}`,
		[]string{`{"key":"ünïcode"}`, `{"key":"ÜNÏ"}`},
		[]string{`{"key":"un"}`, `{"key":"xünï"}`})
	checkPattern(t, `{"key":[{"suffix":{"equals-ignore-case":".PNG"}}]}`,
		[]string{`{"key":"a.png"}`, `{"key":"a.PnG"}`},
		[]string{`{"key":"a.jpg"}`, `{"key":"png"}`})
}

func TestEqualsIgnoreCase(t *testing.T) {
	checkPattern(t, `{"detail-type":[{"equals-ignore-case":"object created"}]}`,
		[]string{`{"detail-type":"Object Created"}`, `{"detail-type":"OBJECT CREATED"}`},
		[]string{`{"detail-type":"Object Created!"}`, `{"detail-type":1}`})
}

func TestWildcard(t *testing.T) {
	checkPattern(t, `{"arn":[{"wildcard":"arn:aws:events:us-east-1:*:event-bus/*"}]}`,
		[]string{`{"arn":"arn:aws:events:us-east-1:123456789012:event-bus/default"}`, `{"arn":"arn:aws:events:us-east-1::event-bus/"}`},
		[]string{`{"arn":"arn:aws:events:us-west-2:123456789012:event-bus/default"}`})
	checkPattern(t, `{"a":[{"wildcard":"a\\*b\\\\*"}]}`,
		[]string{`{"a":"a*b\\"}`, `{"a":"a*b\\xyz"}`},
		[]string{`{"a":"axb\\"}`, `{"a":"a*b"}`})
	checkPattern(t, `{"a":[{"wildcard":"*ab*ab"}]}`,
		[]string{`{"a":"abab"}`, `{"a":"xxabyyab"}`},
		[]string{`{"a":"ab"}`, `{"a":"aba"}`})
	checkPattern(t, `{"a":[{"wildcard":"exact"}]}`,
		[]string{`{"a":"exact"}`}, []string{`{"a":"exactly"}`})
}

func TestAnythingBut(t *testing.T) {
	checkPattern(t, `{"state":[{"anything-but":["stopped","overloaded"]}]}`,
		[]string{`{"state":"running"}`, `{"state":null}`, `{"state":5}`, `{"state":true}`},
		[]string{`{"state":"stopped"}`, `{}`, `{"state":{"x":"y"}}`})
	checkPattern(t, `{"n":[{"anything-but":[100,2.5e2]}]}`,
		[]string{`{"n":101}`, `{"n":"100"}`},
		[]string{`{"n":100.0}`, `{"n":250}`})
	checkPattern(t, `{"s":[{"anything-but":{"prefix":["init","test"]}}]}`,
		[]string{`{"s":"running"}`, `{"s":12}`},
		[]string{`{"s":"initializing"}`, `{"s":"testing"}`})
	checkPattern(t, `{"s":[{"anything-but":{"suffix":".txt"}}]}`,
		[]string{`{"s":"a.png"}`}, []string{`{"s":"a.txt"}`})
	checkPattern(t, `{"s":[{"anything-but":{"equals-ignore-case":["Stopped"]}}]}`,
		[]string{`{"s":"running"}`}, []string{`{"s":"STOPPED"}`})
	checkPattern(t, `{"s":[{"anything-but":{"wildcard":"*/tmp/*"}}]}`,
		[]string{`{"s":"/home/x"}`}, []string{`{"s":"/a/tmp/b"}`})
}

func TestNumeric(t *testing.T) {
	checkPattern(t, `{"c":[{"numeric":[">",0,"<=",5]}]}`,
		[]string{`{"c":5}`, `{"c":0.000001}`, `{"c":[9,3]}`},
		[]string{`{"c":0}`, `{"c":5.000001}`, `{"c":"3"}`, `{}`})
	checkPattern(t, `{"c":[{"numeric":[">=",-1,"<",1]}]}`,
		[]string{`{"c":-1}`, `{"c":0.5}`}, []string{`{"c":1}`, `{"c":-1.1}`})
	checkPattern(t, `{"c":[{"numeric":["=",3.018e2]}]}`,
		[]string{`{"c":301.8}`}, []string{`{"c":301.9}`})
	checkPattern(t, `{"c":[{"numeric":["<",10]}]}`,
		[]string{`{"c":-5e9}`}, []string{`{"c":10}`, `{"c":-6e9}`})
}

func TestExists(t *testing.T) {
	checkPattern(t, `{"detail":{"state":[{"exists":true}]}}`,
		[]string{`{"detail":{"state":"x"}}`, `{"detail":{"state":null}}`, `{"detail":{"state":[1]}}`},
		[]string{`{"detail":{}}`, `{"detail":{"state":{"a":1}}}`, `{"detail":{"state":[]}}`, `{}`})
	checkPattern(t, `{"detail":{"state":[{"exists":false}]}}`,
		[]string{`{"detail":{}}`, `{}`, `{"detail":"flat"}`, `{"detail":{"state":{"a":1}}}`},
		[]string{`{"detail":{"state":"x"}}`, `{"detail":{"state":null}}`})
}

func TestCIDR(t *testing.T) {
	checkPattern(t, `{"ip":[{"cidr":"10.0.0.0/24"}]}`,
		[]string{`{"ip":"10.0.0.0"}`, `{"ip":"10.0.0.255"}`},
		[]string{`{"ip":"10.0.1.0"}`, `{"ip":"not an ip"}`, `{"ip":"::ffff:10.0.1.0"}`, `{"ip":167772160}`})
	checkPattern(t, `{"ip":[{"cidr":"2001:db8:1234:1a00::/64"}]}`,
		[]string{`{"ip":"2001:db8:1234:1a00::1"}`, `{"ip":"2001:DB8:1234:1A00:FFFF:FFFF:FFFF:FFFF"}`},
		[]string{`{"ip":"2001:db8:1234:1a01::"}`, `{"ip":"10.0.0.1"}`})
	// An exact IP string matches the same address written another way.
	checkPattern(t, `{"ip":["2001:db8::1"]}`,
		[]string{`{"ip":"2001:0DB8:0:0:0:0:0:1"}`}, []string{`{"ip":"2001:db8::2"}`})
}

func TestOr(t *testing.T) {
	checkPattern(t, `{"source":["a"],"$or":[{"x":["1"]},{"y":[{"numeric":[">",5]}]}]}`,
		[]string{`{"source":"a","x":"1"}`, `{"source":"a","y":6}`},
		[]string{`{"source":"a","y":5}`, `{"source":"b","x":"1"}`})
	checkPattern(t, `{"detail":{"$or":[{"a":["1"]},{"$or":[{"b":["2"]},{"c":["3"]}]}]}}`,
		[]string{`{"detail":{"c":"3"}}`, `{"detail":{"a":"1"}}`},
		[]string{`{"detail":{"d":"4"}}`})
}

func TestNestingAndArrays(t *testing.T) {
	// An object pattern applied to an array must hold within one element.
	checkPattern(t, `{"people":{"first":["Ann"],"last":["Lee"]}}`,
		[]string{`{"people":[{"first":"Bo","last":"Lee"},{"first":"Ann","last":"Lee"}]}`, `{"people":[[{"first":"Ann","last":"Lee"}]]}`},
		[]string{`{"people":[{"first":"Ann","last":"Kim"},{"first":"Bo","last":"Lee"}]}`, `{"people":"Ann"}`})
	// A pattern object never matches a leaf, and a leaf pattern never an object.
	checkPattern(t, `{"detail":["x"]}`, []string{`{"detail":"x"}`}, []string{`{"detail":{"x":"x"}}`})
	// Dotted keys name the same field as nested objects (AWS-validated).
	checkPattern(t, `{"detail":{"a.b":["1"]}}`,
		[]string{`{"detail":{"a":{"b":"1"}}}`, `{"detail":{"a.b":"1"}}`},
		[]string{`{"detail":{"a":{"b":"2"}}}`})
	checkPattern(t, `{"a":{"b":["1"]},"c":["2"]}`,
		[]string{`{"a.b":"1","a":{"x":1},"c":"2"}`}, []string{`{"a.b":"2","c":"2"}`})
}

func TestDuplicateKeyLastWins(t *testing.T) {
	checkPattern(t, `{"x":["y"],"x":["z"]}`, []string{`{"x":"z"}`}, []string{`{"x":"y"}`})
	checkPattern(t, `{"d":{"a":["1"]},"d":{"b":["2"]}}`, []string{`{"d":{"a":"1","b":"2"}}`}, []string{`{"d":{"a":"1"}}`})
}
