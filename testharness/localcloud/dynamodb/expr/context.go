// Package expr is DynamoDB's expression language: condition, filter, key
// condition, update and projection expressions, parsed into trees that
// evaluate against attr items.
//
// Parsing resolves #name and :value placeholders through a Context, which
// also remembers which placeholders were used so that one request's
// expressions together can be checked for unused ones, as DynamoDB does.
// Errors are *Error carrying DynamoDB's message without the "Invalid
// UpdateExpression: " prefix; the Parse functions add the prefix for the
// expression kind they were told.
package expr

import (
	"fmt"
	"sort"
	"strings"

	"github.com/tracebridge/tracebridge/testharness/localcloud/dynamodb/attr"
)

// Error is an expression DynamoDB rejects (ValidationException).
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

// Context holds a request's ExpressionAttributeNames and
// ExpressionAttributeValues and records which of them the parsed
// expressions use.
type Context struct {
	Names      map[string]string
	Values     map[string]attr.Value
	usedNames  map[string]bool
	usedValues map[string]bool
}

// NewContext returns a context for one request's placeholders.
func NewContext(names map[string]string, values map[string]attr.Value) *Context {
	return &Context{Names: names, Values: values, usedNames: map[string]bool{}, usedValues: map[string]bool{}}
}

// CheckUnused reports placeholders that no parsed expression used, with
// DynamoDB's messages, once every expression of a request is parsed.
func (c *Context) CheckUnused() error {
	if c.Names != nil && len(c.Names) == 0 {
		return &Error{Msg: "ExpressionAttributeNames must not be empty"}
	}
	if c.Values != nil && len(c.Values) == 0 {
		return &Error{Msg: "ExpressionAttributeValues must not be empty"}
	}
	if keys := unused(c.Names, c.usedNames); keys != "" {
		return &Error{Msg: "Value provided in ExpressionAttributeNames unused in expressions: keys: {" + keys + "}"}
	}
	if keys := unused(c.Values, c.usedValues); keys != "" {
		return &Error{Msg: "Value provided in ExpressionAttributeValues unused in expressions: keys: {" + keys + "}"}
	}
	return nil
}

func unused[V any](m map[string]V, used map[string]bool) string {
	var out []string
	for k := range m {
		if !used[k] {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

func (c *Context) name(ref string) (string, error) {
	n, ok := c.Names[ref]
	if !ok {
		return "", &Error{Msg: "An expression attribute name used in the document path is not defined; attribute name: " + ref}
	}
	c.usedNames[ref] = true
	return n, nil
}

func (c *Context) value(ref string) (attr.Value, error) {
	v, ok := c.Values[ref]
	if !ok {
		return attr.Value{}, &Error{Msg: "An expression attribute value used in expression is not defined; attribute value: " + ref}
	}
	c.usedValues[ref] = true
	return v, nil
}

// prefixed adds "Invalid <Kind>: " to an expression error.
func prefixed(kind string, err error) error {
	if e, ok := err.(*Error); ok {
		return &Error{Msg: fmt.Sprintf("Invalid %s: %s", kind, e.Msg)}
	}
	return err
}
