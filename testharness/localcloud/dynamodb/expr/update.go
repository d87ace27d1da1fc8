package expr

import (
	"fmt"
	"sort"
	"strings"

	"github.com/tracebridge/tracebridge/testharness/localcloud/dynamodb/attr"
)

// Update is a parsed update expression.
type Update struct {
	sets    []setAction
	removes []Path
	adds    []valueAction
	deletes []valueAction
}

type setAction struct {
	p Path
	v setValue
}

type valueAction struct {
	p Path
	v attr.Value
}

// setValue is the right-hand side of a SET action.
type setValue interface {
	eval(item attr.Item) (attr.Value, error)
}

var errMissingAttr = &Error{Msg: "The provided expression refers to an attribute that does not exist in the item"}
var errDataType = &Error{Msg: "An operand in the update expression has an incorrect data type"}

type setOperand struct{ o operand }

func (s setOperand) eval(item attr.Item) (attr.Value, error) {
	v, ok := s.o.get(item)
	if !ok {
		return attr.Value{}, errMissingAttr
	}
	return v, nil
}

type arith struct {
	minus bool
	l, r  setValue
}

func (a arith) eval(item attr.Item) (attr.Value, error) {
	l, err := a.l.eval(item)
	if err != nil {
		return attr.Value{}, err
	}
	r, err := a.r.eval(item)
	if err != nil {
		return attr.Value{}, err
	}
	if l.Type != attr.N || r.Type != attr.N {
		return attr.Value{}, errDataType
	}
	var n attr.Number
	if a.minus {
		n, err = l.N.Sub(r.N)
	} else {
		n, err = l.N.Add(r.N)
	}
	if err != nil {
		return attr.Value{}, &Error{Msg: err.Error()}
	}
	return attr.Num(n), nil
}

type ifNotExists struct {
	p   Path
	def setValue
}

func (f ifNotExists) eval(item attr.Item) (attr.Value, error) {
	if v, ok := f.p.Get(item); ok {
		return v, nil
	}
	return f.def.eval(item)
}

type listAppend struct{ l, r setValue }

func (f listAppend) eval(item attr.Item) (attr.Value, error) {
	l, err := f.l.eval(item)
	if err != nil {
		return attr.Value{}, err
	}
	r, err := f.r.eval(item)
	if err != nil {
		return attr.Value{}, err
	}
	if l.Type != attr.L || r.Type != attr.L {
		return attr.Value{}, errDataType
	}
	out := make([]attr.Value, 0, len(l.L)+len(r.L))
	return attr.List(append(append(out, l.L...), r.L...)), nil
}

// ParseUpdate parses an update expression: SET, REMOVE, ADD and DELETE
// sections, each at most once.
func ParseUpdate(src string, ctx *Context) (*Update, error) {
	u, err := parseUpdate(src, ctx)
	if err != nil {
		return nil, prefixed("UpdateExpression", err)
	}
	return u, nil
}

func parseUpdate(src string, ctx *Context) (*Update, error) {
	p, err := newParser(src, ctx)
	if err != nil {
		return nil, err
	}
	u := &Update{}
	seen := map[string]bool{}
	for p.peek().kind != tEOF {
		t := p.peek()
		section := strings.ToUpper(t.text)
		if t.kind != tIdent || (section != "SET" && section != "REMOVE" && section != "ADD" && section != "DELETE") {
			return nil, p.syntaxError()
		}
		if seen[section] {
			return nil, &Error{Msg: fmt.Sprintf("The %q section can only be used once in an update expression;", section)}
		}
		seen[section] = true
		p.next()
		for {
			if err := u.action(p, section); err != nil {
				return nil, err
			}
			if !p.isPunct(",") {
				break
			}
			p.next()
		}
	}
	if err := u.checkOverlap(); err != nil {
		return nil, err
	}
	return u, nil
}

func (u *Update) action(p *parser, section string) error {
	path, err := p.path()
	if err != nil {
		return err
	}
	switch section {
	case "SET":
		if err := p.expect("="); err != nil {
			return err
		}
		v, err := p.setValue()
		if err != nil {
			return err
		}
		u.sets = append(u.sets, setAction{path, v})
	case "REMOVE":
		u.removes = append(u.removes, path)
	default:
		if p.peek().kind != tValue {
			return p.syntaxError()
		}
		v, err := p.valueRef()
		if err != nil {
			return err
		}
		ok := v.v.IsSet() || (section == "ADD" && v.v.Type == attr.N)
		if !ok {
			return &Error{Msg: fmt.Sprintf("Incorrect operand type for operator or function; operator: %s, operand type: %s", section, typeWord(v.v.Type))}
		}
		if section == "ADD" {
			u.adds = append(u.adds, valueAction{path, v.v})
		} else {
			u.deletes = append(u.deletes, valueAction{path, v.v})
		}
	}
	return nil
}

// typeWord is how DynamoDB names a type in ADD/DELETE operand errors.
func typeWord(t attr.Type) string {
	return map[attr.Type]string{attr.S: "STRING", attr.N: "NUMBER", attr.B: "BINARY", attr.BOOL: "BOOLEAN",
		attr.NULL: "NULL", attr.M: "MAP", attr.L: "LIST"}[t]
}

// setValue reads operand [+|- operand].
func (p *parser) setValue() (setValue, error) {
	l, err := p.setOperand()
	if err != nil {
		return nil, err
	}
	if p.isPunct("+") || p.isPunct("-") {
		minus := p.next().text == "-"
		r, err := p.setOperand()
		if err != nil {
			return nil, err
		}
		for _, o := range []setValue{l, r} {
			if so, ok := o.(setOperand); ok {
				if v, ok := so.o.(valueOperand); ok && v.v.Type != attr.N {
					op := "+"
					if minus {
						op = "-"
					}
					return nil, &Error{Msg: fmt.Sprintf("Incorrect operand type for operator or function; operator or function: %s, operand type: %s", op, v.v.Type)}
				}
			}
		}
		return arith{minus: minus, l: l, r: r}, nil
	}
	return l, nil
}

func (p *parser) setOperand() (setValue, error) {
	if !p.isCall() {
		if p.peek().kind == tValue {
			v, err := p.valueRef()
			return setOperand{v}, err
		}
		path, err := p.path()
		return setOperand{pathOperand{path}}, err
	}
	name := p.next().text
	p.next() // (
	switch name {
	case "if_not_exists":
		path, err := p.path()
		if err != nil {
			return nil, err
		}
		if err := p.expect(","); err != nil {
			return nil, err
		}
		def, err := p.setOperand()
		if err != nil {
			return nil, err
		}
		return ifNotExists{path, def}, p.expect(")")
	case "list_append":
		l, err := p.setOperand()
		if err != nil {
			return nil, err
		}
		if err := p.expect(","); err != nil {
			return nil, err
		}
		r, err := p.setOperand()
		if err != nil {
			return nil, err
		}
		for _, o := range []setValue{l, r} {
			if so, ok := o.(setOperand); ok {
				if v, ok := so.o.(valueOperand); ok && v.v.Type != attr.L {
					return nil, &Error{Msg: "Incorrect operand type for operator or function; operator or function: list_append, operand type: " + v.v.Type.String()}
				}
			}
		}
		return listAppend{l, r}, p.expect(")")
	}
	if isConditionFunction(name) || name == "size" {
		return nil, &Error{Msg: "The function is not allowed in an update expression; function: " + name}
	}
	return nil, &Error{Msg: "Invalid function name; function: " + name}
}

// Paths returns every path the update writes, in expression order.
func (u *Update) Paths() []Path {
	var out []Path
	for _, s := range u.sets {
		out = append(out, s.p)
	}
	out = append(out, u.removes...)
	for _, a := range u.adds {
		out = append(out, a.p)
	}
	for _, d := range u.deletes {
		out = append(out, d.p)
	}
	return out
}

func (u *Update) checkOverlap() error {
	paths := u.Paths()
	for i := range paths {
		for j := range i {
			if paths[i].overlaps(paths[j]) {
				return &Error{Msg: fmt.Sprintf("Two document paths overlap with each other; must remove or rewrite one of these paths; path one: %s, path two: %s", paths[j], paths[i])}
			}
		}
	}
	return nil
}

// Apply returns the item the update makes of item (nil for an item that
// does not exist yet). item itself is not changed. Every SET value is
// computed from the original item, as DynamoDB does.
func (u *Update) Apply(item attr.Item) (attr.Item, error) {
	out := item.Clone()
	vals := make([]attr.Value, len(u.sets))
	for i, s := range u.sets {
		v, err := s.v.eval(item)
		if err != nil {
			return nil, err
		}
		vals[i] = v
	}
	for i, s := range u.sets {
		if err := s.p.set(out, vals[i]); err != nil {
			return nil, err
		}
	}
	// Remove list elements from the highest index down, so that the
	// indexes of one expression all refer to the original list.
	removes := append([]Path(nil), u.removes...)
	sort.SliceStable(removes, func(i, j int) bool { return laterIndex(removes[i], removes[j]) })
	for _, p := range removes {
		if err := p.remove(out); err != nil {
			return nil, err
		}
	}
	for _, a := range u.adds {
		if err := add(out, a); err != nil {
			return nil, err
		}
	}
	for _, d := range u.deletes {
		if err := deleteFromSet(out, d); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// laterIndex orders two paths that differ only in a list index so that
// the higher index comes first.
func laterIndex(a, b Path) bool {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return a[i].IsIndex && b[i].IsIndex && a[i].Index > b[i].Index
		}
	}
	return false
}

func add(item attr.Item, a valueAction) error {
	cur, ok := a.p.Get(item)
	if !ok {
		return a.p.set(item, a.v)
	}
	switch {
	case cur.Type == attr.N && a.v.Type == attr.N:
		n, err := cur.N.Add(a.v.N)
		if err != nil {
			return &Error{Msg: err.Error()}
		}
		return a.p.set(item, attr.Num(n))
	case cur.IsSet() && cur.Type == a.v.Type:
		members := make([]attr.Value, 0, cur.Len()+a.v.Len())
		for i := range cur.Len() {
			members = append(members, cur.Member(i))
		}
		for i := range a.v.Len() {
			m := a.v.Member(i)
			if !containsValue(members, m) {
				members = append(members, m)
			}
		}
		return a.p.set(item, attr.SetOf(cur.Type, members))
	}
	return errDataType
}

func deleteFromSet(item attr.Item, d valueAction) error {
	cur, ok := d.p.Get(item)
	if !ok {
		return nil
	}
	if cur.Type != d.v.Type {
		return errDataType
	}
	var kept []attr.Value
	for i := range cur.Len() {
		m := cur.Member(i)
		drop := false
		for j := range d.v.Len() {
			if m.Equal(d.v.Member(j)) {
				drop = true
				break
			}
		}
		if !drop {
			kept = append(kept, m)
		}
	}
	if len(kept) == 0 {
		return d.p.remove(item)
	}
	return d.p.set(item, attr.SetOf(cur.Type, kept))
}

func containsValue(vs []attr.Value, v attr.Value) bool {
	for _, w := range vs {
		if w.Equal(v) {
			return true
		}
	}
	return false
}
