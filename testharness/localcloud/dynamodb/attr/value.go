// Package attr holds DynamoDB attribute values: the ten data types, their
// DynamoDB-JSON form, the validation DynamoDB applies to them, exact numbers,
// item sizes and the ordering of key values.
//
// Values are treated as immutable once built: the service shares them
// between stored items, responses and stream records without copying.
package attr

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// Type is a DynamoDB data type descriptor.
type Type uint8

// The data types, with the descriptors DynamoDB-JSON uses.
const (
	Invalid Type = iota
	S
	N
	B
	SS
	NS
	BS
	M
	L
	NULL
	BOOL
)

var typeNames = [...]string{"", "S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL"}

func (t Type) String() string { return typeNames[t] }

// ParseType reads a descriptor ("S", "NS", …).
func ParseType(s string) (Type, bool) {
	for i, n := range typeNames {
		if i > 0 && n == s {
			return Type(i), true
		}
	}
	return Invalid, false
}

// Error is input DynamoDB rejects with a ValidationException; Msg is
// DynamoDB's message.
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

// Value is one attribute value; the field named by Type holds it.
type Value struct {
	Type Type
	S    string
	N    Number
	B    []byte
	SS   []string
	NS   []Number
	BS   [][]byte
	M    map[string]Value
	L    []Value
	BOOL bool
}

// Item is an item or a key: attribute names to values.
type Item map[string]Value

// Constructors for the common cases.
func Str(s string) Value              { return Value{Type: S, S: s} }
func Num(n Number) Value              { return Value{Type: N, N: n} }
func Bin(b []byte) Value              { return Value{Type: B, B: b} }
func Bool(b bool) Value               { return Value{Type: BOOL, BOOL: b} }
func Null() Value                     { return Value{Type: NULL} }
func Map(m map[string]Value) Value    { return Value{Type: M, M: m} }
func List(l []Value) Value            { return Value{Type: L, L: l} }
func StrSet(ss []string) Value        { return Value{Type: SS, SS: ss} }
func NumSet(ns []Number) Value        { return Value{Type: NS, NS: ns} }
func BinSet(bs [][]byte) Value        { return Value{Type: BS, BS: bs} }
func (v Value) IsSet() bool           { return v.Type == SS || v.Type == NS || v.Type == BS }
func (v Value) IsScalarKeyType() bool { return v.Type == S || v.Type == N || v.Type == B }

// wire is a value as DynamoDB-JSON spells it.
type wire struct {
	S    *string          `json:"S,omitempty"`
	N    *string          `json:"N,omitempty"`
	B    []byte           `json:"B,omitempty"`
	SS   []string         `json:"SS,omitempty"`
	NS   []string         `json:"NS,omitempty"`
	BS   [][]byte         `json:"BS,omitempty"`
	M    map[string]Value `json:"M,omitempty"`
	L    []Value          `json:"L,omitempty"`
	NULL *bool            `json:"NULL,omitempty"`
	BOOL *bool            `json:"BOOL,omitempty"`
}

// MarshalJSON writes DynamoDB-JSON ({"S":"x"}, {"N":"1.5"}, …).
func (v Value) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	v.appendJSON(&buf)
	return buf.Bytes(), nil
}

// writeString writes s as a JSON string, as encoding/json does; a string
// of printable ASCII that needs no escape (most names and values) is
// written as it is.
func writeString(buf *bytes.Buffer, s string) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			b, _ := json.Marshal(s)
			buf.Write(b)
			return
		}
	}
	buf.WriteByte('"')
	buf.WriteString(s)
	buf.WriteByte('"')
}

func (v Value) appendJSON(buf *bytes.Buffer) {
	switch v.Type {
	case S:
		buf.WriteString(`{"S":`)
		writeString(buf, v.S)
	case N:
		buf.WriteString(`{"N":"`)
		buf.WriteString(v.N.String())
		buf.WriteByte('"')
	case B:
		buf.WriteString(`{"B":`)
		b, _ := json.Marshal(v.B)
		buf.Write(b)
	case SS:
		buf.WriteString(`{"SS":`)
		b, _ := json.Marshal(v.SS)
		buf.Write(b)
	case NS:
		buf.WriteString(`{"NS":[`)
		for i, n := range v.NS {
			if i > 0 {
				buf.WriteByte(',')
			}
			buf.WriteByte('"')
			buf.WriteString(n.String())
			buf.WriteByte('"')
		}
		buf.WriteByte(']')
	case BS:
		buf.WriteString(`{"BS":`)
		b, _ := json.Marshal(v.BS)
		buf.Write(b)
	case M:
		buf.WriteString(`{"M":`)
		Item(v.M).appendJSON(buf)
	case L:
		buf.WriteString(`{"L":[`)
		for i, e := range v.L {
			if i > 0 {
				buf.WriteByte(',')
			}
			e.appendJSON(buf)
		}
		buf.WriteByte(']')
	case NULL:
		buf.WriteString(`{"NULL":true`)
	case BOOL:
		if v.BOOL {
			buf.WriteString(`{"BOOL":true`)
		} else {
			buf.WriteString(`{"BOOL":false`)
		}
	default:
		buf.WriteString(`{`)
	}
	buf.WriteByte('}')
}

// MarshalJSON writes the item as a DynamoDB-JSON map, names sorted.
func (it Item) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	it.appendJSON(&buf)
	return buf.Bytes(), nil
}

func (it Item) appendJSON(buf *bytes.Buffer) {
	names := make([]string, 0, len(it))
	for k := range it {
		names = append(names, k)
	}
	sort.Strings(names)
	buf.WriteByte('{')
	for i, k := range names {
		if i > 0 {
			buf.WriteByte(',')
		}
		writeString(buf, k)
		buf.WriteByte(':')
		it[k].appendJSON(buf)
	}
	buf.WriteByte('}')
}

// UnmarshalJSON reads DynamoDB-JSON and applies DynamoDB's rules for a
// single value: exactly one type, valid numbers, non-empty sets without
// duplicates. Violations are *Error with DynamoDB's messages.
func (v *Value) UnmarshalJSON(data []byte) error {
	if t, text, ok := plainScalar(data); ok {
		if t == S {
			*v = Str(text)
			return nil
		}
		n, err := ParseNumber(text)
		if err != nil {
			return err
		}
		*v = Num(n)
		return nil
	}
	return v.unmarshalWire(data)
}

// unmarshalWire is UnmarshalJSON for any value, by reflection.
func (v *Value) unmarshalWire(data []byte) error {
	var w wire
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	set := 0
	for _, present := range []bool{w.S != nil, w.N != nil, w.B != nil, w.SS != nil, w.NS != nil, w.BS != nil,
		w.M != nil, w.L != nil, w.NULL != nil, w.BOOL != nil} {
		if present {
			set++
		}
	}
	if set == 0 {
		// An empty B, list or map decodes as nil; tell them apart from
		// "nothing given" by looking at the raw keys.
		return v.unmarshalEmpty(data)
	}
	if set > 1 {
		return &Error{Msg: "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"}
	}
	switch {
	case w.S != nil:
		*v = Str(*w.S)
	case w.N != nil:
		n, err := ParseNumber(*w.N)
		if err != nil {
			return err
		}
		*v = Num(n)
	case w.B != nil:
		*v = Bin(w.B)
	case w.SS != nil:
		*v = StrSet(w.SS)
	case w.NS != nil:
		ns := make([]Number, len(w.NS))
		for i, s := range w.NS {
			n, err := ParseNumber(s)
			if err != nil {
				return err
			}
			ns[i] = n
		}
		*v = NumSet(ns)
	case w.BS != nil:
		*v = BinSet(w.BS)
	case w.M != nil:
		*v = Map(w.M)
	case w.L != nil:
		*v = List(w.L)
	case w.NULL != nil:
		if !*w.NULL {
			return &Error{Msg: "One or more parameter values were invalid: Null attribute value types must have the value of true"}
		}
		*v = Null()
	case w.BOOL != nil:
		*v = Bool(*w.BOOL)
	}
	return v.checkSet()
}

// plainScalar reads {"S":"…"} or {"N":"…"} whose text has no escapes, as
// SDKs send most values, without decoding by reflection; ok is false for
// anything else, which UnmarshalJSON decodes in full.
func plainScalar(data []byte) (t Type, text string, ok bool) {
	i := skipSpace(data, 0)
	if !hasPrefixAt(data, i, `{"`) || i+4 > len(data) || data[i+3] != '"' {
		return Invalid, "", false
	}
	switch data[i+2] {
	case 'S':
		t = S
	case 'N':
		t = N
	default:
		return Invalid, "", false
	}
	i = skipSpace(data, i+4)
	if !hasPrefixAt(data, i, ":") {
		return Invalid, "", false
	}
	i = skipSpace(data, i+1)
	if !hasPrefixAt(data, i, `"`) {
		return Invalid, "", false
	}
	start := i + 1
	for i = start; i < len(data) && data[i] != '"'; i++ {
		if c := data[i]; c == '\\' || c < 0x20 {
			return Invalid, "", false
		}
	}
	if i == len(data) || !utf8.Valid(data[start:i]) {
		return Invalid, "", false
	}
	text = string(data[start:i])
	i = skipSpace(data, i+1)
	if !hasPrefixAt(data, i, "}") || skipSpace(data, i+1) != len(data) {
		return Invalid, "", false
	}
	return t, text, true
}

func hasPrefixAt(data []byte, i int, prefix string) bool {
	return i <= len(data) && bytes.HasPrefix(data[i:], []byte(prefix))
}

func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	return i
}

func (v *Value) unmarshalEmpty(data []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	if len(raw) > 1 {
		return &Error{Msg: "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"}
	}
	for k, r := range raw {
		if string(r) == "null" {
			break
		}
		switch k {
		case "B":
			*v = Bin([]byte{})
			return nil
		case "M":
			*v = Map(map[string]Value{})
			return nil
		case "L":
			*v = List([]Value{})
			return nil
		case "SS", "NS", "BS":
			t, _ := ParseType(k)
			return emptySetError(t)
		}
	}
	return &Error{Msg: "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"}
}

// emptySetError is DynamoDB's message, double space included.
func emptySetError(t Type) error {
	kind := map[Type]string{SS: "string", NS: "number", BS: "binary"}[t]
	return &Error{Msg: fmt.Sprintf("One or more parameter values were invalid: An %s set  may not be empty", kind)}
}

// checkSet rejects empty sets and duplicate members.
func (v Value) checkSet() error {
	if !v.IsSet() {
		return nil
	}
	n := v.Len()
	if n == 0 {
		return emptySetError(v.Type)
	}
	seen := make(map[string]bool, n)
	var texts []string
	for i := range n {
		k := v.memberKey(i)
		texts = append(texts, v.memberText(i))
		if seen[k] {
			return &Error{Msg: fmt.Sprintf("One or more parameter values were invalid: Input collection [%s] contains duplicates.", strings.Join(texts, ", "))}
		}
		seen[k] = true
	}
	return nil
}

// Depth is how many maps and lists nest in v: 0 for a scalar or a set, 1
// for a map or list of scalars.
func (v Value) Depth() int {
	d := 0
	switch v.Type {
	case M:
		for _, e := range v.M {
			d = max(d, e.Depth())
		}
	case L:
		for _, e := range v.L {
			d = max(d, e.Depth())
		}
	default:
		return 0
	}
	return d + 1
}

// Len is the number of members of a set or list, entries of a map, or
// bytes of a string or binary; 0 for other types.
func (v Value) Len() int {
	switch v.Type {
	case S:
		return len(v.S)
	case B:
		return len(v.B)
	case SS:
		return len(v.SS)
	case NS:
		return len(v.NS)
	case BS:
		return len(v.BS)
	case M:
		return len(v.M)
	case L:
		return len(v.L)
	}
	return 0
}

// memberKey identifies set member i for equality (numbers by value).
func (v Value) memberKey(i int) string {
	switch v.Type {
	case SS:
		return v.SS[i]
	case NS:
		return v.NS[i].String()
	case BS:
		return string(v.BS[i])
	}
	return ""
}

func (v Value) memberText(i int) string {
	if v.Type == BS {
		b, _ := json.Marshal(v.BS[i])
		return strings.Trim(string(b), `"`)
	}
	return v.memberKey(i)
}

// Member returns set member i as a scalar value.
func (v Value) Member(i int) Value {
	switch v.Type {
	case SS:
		return Str(v.SS[i])
	case NS:
		return Num(v.NS[i])
	case BS:
		return Bin(v.BS[i])
	}
	return Value{}
}

// ElemType is the scalar type of a set's members.
func (t Type) ElemType() Type {
	switch t {
	case SS:
		return S
	case NS:
		return N
	case BS:
		return B
	}
	return Invalid
}

// SetOf builds a set of the given set type from scalar members.
func SetOf(t Type, members []Value) Value {
	v := Value{Type: t}
	for _, m := range members {
		switch t {
		case SS:
			v.SS = append(v.SS, m.S)
		case NS:
			v.NS = append(v.NS, m.N)
		case BS:
			v.BS = append(v.BS, m.B)
		}
	}
	return v
}

// Equal compares values as DynamoDB's = does: same type and same value;
// sets compare as sets, whatever their order.
func (v Value) Equal(o Value) bool {
	if v.Type != o.Type {
		return false
	}
	switch v.Type {
	case S:
		return v.S == o.S
	case N:
		return v.N.Compare(o.N) == 0
	case B:
		return bytes.Equal(v.B, o.B)
	case BOOL:
		return v.BOOL == o.BOOL
	case NULL:
		return true
	case SS, NS, BS:
		if v.Len() != o.Len() {
			return false
		}
		keys := make(map[string]bool, v.Len())
		for i := range v.Len() {
			keys[v.memberKey(i)] = true
		}
		for i := range o.Len() {
			if !keys[o.memberKey(i)] {
				return false
			}
		}
		return true
	case L:
		if len(v.L) != len(o.L) {
			return false
		}
		for i := range v.L {
			if !v.L[i].Equal(o.L[i]) {
				return false
			}
		}
		return true
	case M:
		return Item(v.M).Equal(Item(o.M))
	}
	return false
}

// Equal tells whether two items hold the same attributes and values.
func (it Item) Equal(o Item) bool {
	if len(it) != len(o) {
		return false
	}
	for k, v := range it {
		w, ok := o[k]
		if !ok || !v.Equal(w) {
			return false
		}
	}
	return true
}

// Compare orders two scalar values of the same type as DynamoDB sorts keys
// and evaluates < and >: numbers by value, strings and binaries by their
// bytes. ok is false when the values are not comparable.
func Compare(a, b Value) (c int, ok bool) {
	if a.Type != b.Type {
		return 0, false
	}
	switch a.Type {
	case N:
		return a.N.Compare(b.N), true
	case S:
		return strings.Compare(a.S, b.S), true
	case B:
		return bytes.Compare(a.B, b.B), true
	}
	return 0, false
}

// Size is what the value counts toward DynamoDB's 400 KB item limit, by
// the Developer Guide's rules: strings and binaries their length, numbers
// about a byte per two digits plus one, booleans and nulls one byte, lists
// and maps 3 bytes plus one per element and their contents.
func (v Value) Size() int {
	switch v.Type {
	case S:
		return len(v.S)
	case N:
		return v.N.size()
	case B:
		return len(v.B)
	case SS:
		n := 0
		for _, s := range v.SS {
			n += len(s)
		}
		return n
	case NS:
		n := 0
		for _, x := range v.NS {
			n += x.size()
		}
		return n
	case BS:
		n := 0
		for _, b := range v.BS {
			n += len(b)
		}
		return n
	case M:
		n := 3
		for k, e := range v.M {
			n += len(k) + e.Size() + 1
		}
		return n
	case L:
		n := 3
		for _, e := range v.L {
			n += e.Size() + 1
		}
		return n
	}
	return 1
}

// Size is the item's size: each attribute's name length plus value size.
func (it Item) Size() int {
	n := 0
	for k, v := range it {
		n += len(k) + v.Size()
	}
	return n
}

// Clone returns a copy of the item's top-level map; values are shared.
func (it Item) Clone() Item {
	out := make(Item, len(it))
	for k, v := range it {
		out[k] = v
	}
	return out
}
