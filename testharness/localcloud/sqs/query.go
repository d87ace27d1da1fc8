package sqs

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
)

// queryOperations serve the query protocol by converting the form into
// the JSON shape of the same operation and its result into query XML, so
// both protocols run one implementation.
func (s *Service) queryOperations() map[string]awsproto.QueryOperation {
	ops := map[string]awsproto.QueryOperation{}
	for name, op := range s.jsonOperations() {
		ops[name] = func(ctx context.Context, params url.Values) (any, error) {
			body, err := json.Marshal(formToJSON(params))
			if err != nil {
				return nil, awsproto.InternalError(fmt.Errorf("convert %s form: %w", name, err))
			}
			out, err := op(ctx, body)
			if err != nil {
				return nil, err
			}
			encoded, err := json.Marshal(out)
			if err != nil {
				return nil, awsproto.InternalError(fmt.Errorf("encode %s result: %w", name, err))
			}
			var tree map[string]any
			if err := json.Unmarshal(encoded, &tree); err != nil {
				return nil, awsproto.InternalError(fmt.Errorf("decode %s result: %w", name, err))
			}
			return xmlResult{action: name, tree: tree}, nil
		}
	}
	return ops
}

// formToJSON turns query parameters ("Attribute.1.Name",
// "SendMessageBatchRequestEntry.2.MessageAttribute.1.Value.StringValue")
// into the JSON input of the operation: numbered members become lists,
// Name/Value lists become maps, and list names become their JSON names.
func formToJSON(params url.Values) map[string]any {
	root := map[string]any{}
	for key, values := range params {
		if key == "Action" || key == "Version" || len(values) == 0 {
			continue
		}
		node := root
		parts := strings.Split(key, ".")
		for _, p := range parts[:len(parts)-1] {
			child, ok := node[p].(map[string]any)
			if !ok {
				child = map[string]any{}
				node[p] = child
			}
			node = child
		}
		node[parts[len(parts)-1]] = values[0]
	}
	return normalize(root).(map[string]any)
}

// queryListNames are the query protocol's list members and their JSON
// names; the map-shaped ones hold Name/Value (or Key/Value) entries.
var queryListNames = map[string]struct {
	json  string
	isMap bool
}{
	"Attribute":                                {"Attributes", true},
	"MessageAttribute":                         {"MessageAttributes", true},
	"MessageSystemAttribute":                   {"MessageSystemAttributes", true},
	"Tag":                                      {"tags", true},
	"AttributeName":                            {"AttributeNames", false},
	"MessageAttributeName":                     {"MessageAttributeNames", false},
	"MessageSystemAttributeName":               {"MessageSystemAttributeNames", false},
	"SendMessageBatchRequestEntry":             {"Entries", false},
	"DeleteMessageBatchRequestEntry":           {"Entries", false},
	"ChangeMessageVisibilityBatchRequestEntry": {"Entries", false},
}

func normalize(v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	out := map[string]any{}
	for k, child := range m {
		child = normalize(child)
		spec, isList := queryListNames[k]
		items, numbered := numberedItems(child)
		if !isList || !numbered {
			out[k] = child
			continue
		}
		if !spec.isMap {
			out[spec.json] = items
			continue
		}
		entries := map[string]any{}
		for _, it := range items {
			e, _ := it.(map[string]any)
			name, _ := e["Name"].(string)
			if name == "" {
				name, _ = e["Key"].(string)
			}
			entries[name] = e["Value"]
		}
		out[spec.json] = entries
	}
	return out
}

// numberedItems returns the values of a map keyed "1", "2", … in order.
func numberedItems(v any) ([]any, bool) {
	m, ok := v.(map[string]any)
	if !ok || len(m) == 0 {
		return nil, false
	}
	idx := make([]int, 0, len(m))
	for k := range m {
		n, err := strconv.Atoi(k)
		if err != nil {
			return nil, false
		}
		idx = append(idx, n)
	}
	sort.Ints(idx)
	items := make([]any, len(idx))
	for i, n := range idx {
		items[i] = m[strconv.Itoa(n)]
	}
	return items, true
}

// xmlResult renders an operation's JSON result as the query protocol's
// <ActionResult>, the element awsproto hands it.
type xmlResult struct {
	action string
	tree   map[string]any
}

func (r xmlResult) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	if err := r.members(e, r.tree); err != nil {
		return err
	}
	return e.EncodeToken(start.End())
}

// members writes a JSON object's members as elements: lists repeat their
// element, maps become Name/Value entries (SQS's Attribute and
// MessageAttribute), in name order.
func (r xmlResult) members(e *xml.Encoder, obj map[string]any) error {
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		var err error
		switch v := obj[k].(type) {
		case []any:
			name := map[string]string{"Messages": "Message", "QueueUrls": "QueueUrl", "Failed": "BatchResultErrorEntry",
				"Successful": r.action + "ResultEntry"}[k]
			if name == "" {
				name = k
			}
			for _, item := range v {
				if err = r.element(e, name, item); err != nil {
					return err
				}
			}
		case map[string]any:
			if k != "Attributes" && k != "MessageAttributes" {
				err = r.element(e, k, v)
				break
			}
			entry := strings.TrimSuffix(k, "s")
			names := make([]string, 0, len(v))
			for n := range v {
				names = append(names, n)
			}
			sort.Strings(names)
			for _, n := range names {
				if err = r.element(e, entry, map[string]any{"Name": n, "Value": v[n]}); err != nil {
					return err
				}
			}
		default:
			err = r.element(e, k, v)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (r xmlResult) element(e *xml.Encoder, name string, v any) error {
	start := xml.StartElement{Name: xml.Name{Local: name}}
	if obj, ok := v.(map[string]any); ok {
		if err := e.EncodeToken(start); err != nil {
			return err
		}
		if err := r.members(e, obj); err != nil {
			return err
		}
		return e.EncodeToken(start.End())
	}
	return e.EncodeElement(fmt.Sprint(v), start)
}
