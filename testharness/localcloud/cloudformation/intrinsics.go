package cloudformation

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/tracebridge/tracebridge/testharness/localcloud/arn"
	"github.com/tracebridge/tracebridge/testharness/localcloud/cfnresource"
)

// Pseudo parameters of the local cloud's one account and region.
const (
	pseudoAccountID = "AWS::AccountId"
	pseudoRegion    = "AWS::Region"
	pseudoPartition = "AWS::Partition"
	pseudoURLSuffix = "AWS::URLSuffix"
	pseudoStackName = "AWS::StackName"
	pseudoStackID   = "AWS::StackId"
	pseudoNoValue   = "AWS::NoValue"
	pseudoNotifARNs = "AWS::NotificationARNs"
)

// availabilityZones answers Fn::GetAZs for the local region (us-east-1 has
// six zones).
var availabilityZones = []any{"us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d", "us-east-1e", "us-east-1f"}

// noValue is what {"Ref": "AWS::NoValue"} resolves to: the enclosing key or
// list element is removed.
type noValue struct{}

// TemplateError is a template that cannot be resolved, with CloudFormation's
// message and where in the template it happened.
type TemplateError struct {
	// Path is where the error is, "Resources.Fn.Properties.Code.S3Key".
	Path    string
	Message string
}

func (e *TemplateError) Error() string {
	if e.Path == "" {
		return e.Message
	}
	return e.Message + " (at " + e.Path + ")"
}

func templateErrorf(path, format string, args ...any) error {
	return &TemplateError{Path: path, Message: fmt.Sprintf(format, args...)}
}

// resolver evaluates intrinsic functions against one deployment's state.
type resolver struct {
	tmpl      *template
	stackName string
	stackID   string
	params    map[string]any
	// conditions are the evaluated Conditions.
	conditions map[string]bool
	// resource returns a created resource, and whether it is a custom
	// resource (whose missing attributes have their own message).
	resource func(logicalID string) (res cfnresource.Resource, custom bool, ok bool)
}

// resolve returns v with every intrinsic function evaluated; path names v
// in errors.
func (r *resolver) resolve(v any, path string) (any, error) {
	switch t := v.(type) {
	case map[string]any:
		if len(t) == 1 {
			for k, arg := range t {
				if k == "Ref" || strings.HasPrefix(k, "Fn::") {
					return r.function(k, arg, path)
				}
			}
		}
		out := make(map[string]any, len(t))
		for k, e := range t {
			rv, err := r.resolve(e, path+"."+k)
			if err != nil {
				return nil, err
			}
			if _, skip := rv.(noValue); !skip {
				out[k] = rv
			}
		}
		return out, nil
	case []any:
		out := make([]any, 0, len(t))
		for i, e := range t {
			rv, err := r.resolve(e, fmt.Sprintf("%s[%d]", path, i))
			if err != nil {
				return nil, err
			}
			if _, skip := rv.(noValue); !skip {
				out = append(out, rv)
			}
		}
		return out, nil
	}
	return v, nil
}

func (r *resolver) function(name string, arg any, path string) (any, error) {
	switch name {
	case "Ref":
		s, ok := arg.(string)
		if !ok {
			return nil, templateErrorf(path, "Template format error: Every Ref object must have a single String value.")
		}
		return r.ref(s, path)
	case "Fn::GetAtt":
		return r.getAtt(arg, path)
	case "Fn::Join":
		return r.join(arg, path)
	case "Fn::Sub":
		return r.sub(arg, path)
	case "Fn::Select":
		return r.selectFn(arg, path)
	case "Fn::Split":
		return r.split(arg, path)
	case "Fn::If":
		return r.ifFn(arg, path)
	case "Fn::Base64":
		v, err := r.resolve(arg, path)
		if err != nil {
			return nil, err
		}
		s, ok := scalarString(v)
		if !ok {
			return nil, templateErrorf(path, "Template error: every Fn::Base64 object must have a String value")
		}
		return base64.StdEncoding.EncodeToString([]byte(s)), nil
	case "Fn::GetAZs":
		return append([]any(nil), availabilityZones...), nil
	case "Fn::FindInMap":
		return r.findInMap(arg, path)
	case "Fn::ImportValue":
		return nil, templateErrorf(path, "Fn::ImportValue is not supported by the local cloud: it deploys one stack and keeps no exports to import")
	case "Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not":
		b, err := r.condition(map[string]any{name: arg}, path, nil)
		if err != nil {
			return nil, err
		}
		return b, nil
	}
	return nil, templateErrorf(path, "Template format error: Unrecognized function %s (the local cloud resolves Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select, Fn::Split, Fn::If, Fn::Base64, Fn::GetAZs, Fn::FindInMap and the condition functions)", name)
}

func (r *resolver) ref(name, path string) (any, error) {
	switch name {
	case pseudoAccountID:
		return arn.Account, nil
	case pseudoRegion:
		return arn.Region, nil
	case pseudoPartition:
		return arn.Partition, nil
	case pseudoURLSuffix:
		return "amazonaws.com", nil
	case pseudoStackName:
		return r.stackName, nil
	case pseudoStackID:
		return r.stackID, nil
	case pseudoNoValue:
		return noValue{}, nil
	case pseudoNotifARNs:
		return []any{}, nil
	}
	if v, ok := r.params[name]; ok {
		return v, nil
	}
	if res, _, ok := r.resource(name); ok {
		return res.RefValue(), nil
	}
	return nil, templateErrorf(path, "Template format error: Unresolved resource dependencies [%s] in the Resources block of the template", name)
}

func (r *resolver) getAtt(arg any, path string) (any, error) {
	var logicalID, attr string
	switch a := arg.(type) {
	case string:
		logicalID, attr, _ = strings.Cut(a, ".")
	case []any:
		if len(a) == 2 {
			logicalID, _ = a[0].(string)
			v, err := r.resolve(a[1], path)
			if err != nil {
				return nil, err
			}
			attr, _ = v.(string)
		}
	}
	if logicalID == "" || attr == "" {
		return nil, templateErrorf(path, "Template error: every Fn::GetAtt object requires two non-empty parameters, the resource name and the resource attribute")
	}
	res, custom, ok := r.resource(logicalID)
	if !ok {
		return nil, templateErrorf(path, "Template error: instance of Fn::GetAtt references undefined resource %s", logicalID)
	}
	v, ok := res.Attributes[attr]
	if !ok {
		if custom {
			return nil, templateErrorf(path, "CustomResource attribute error: Vendor response doesn't contain %s key in object %s|%s|%s", attr, r.stackID, logicalID, res.PhysicalID)
		}
		return nil, templateErrorf(path, "Template error: resource %s does not support attribute type %s in Fn::GetAtt", logicalID, attr)
	}
	return v, nil
}

func (r *resolver) join(arg any, path string) (any, error) {
	a, ok := arg.([]any)
	if !ok || len(a) != 2 {
		return nil, templateErrorf(path, "Template error: every Fn::Join object requires two parameters, (1) a string delimiter and (2) a list of strings to be joined or a function that returns a list of strings (such as Fn::GetAZs) to be joined.")
	}
	delim, ok := a[0].(string)
	if !ok {
		return nil, templateErrorf(path, "Template error: every Fn::Join object requires two parameters, (1) a string delimiter and (2) a list of strings to be joined or a function that returns a list of strings (such as Fn::GetAZs) to be joined.")
	}
	list, err := r.resolveList(a[1], path+".Fn::Join")
	if err != nil {
		return nil, err
	}
	parts := make([]string, len(list))
	for i, e := range list {
		s, ok := scalarString(e)
		if !ok {
			return nil, templateErrorf(path, "Template error: every Fn::Join object requires two parameters, (1) a string delimiter and (2) a list of strings to be joined or a function that returns a list of strings (such as Fn::GetAZs) to be joined.")
		}
		parts[i] = s
	}
	return strings.Join(parts, delim), nil
}

func (r *resolver) resolveList(v any, path string) ([]any, error) {
	rv, err := r.resolve(v, path)
	if err != nil {
		return nil, err
	}
	switch l := rv.(type) {
	case []any:
		return l, nil
	case []string:
		out := make([]any, len(l))
		for i, s := range l {
			out[i] = s
		}
		return out, nil
	}
	return nil, templateErrorf(path, "Template error: expected a list, got %s", describe(rv))
}

func (r *resolver) selectFn(arg any, path string) (any, error) {
	a, ok := arg.([]any)
	if !ok || len(a) != 2 {
		return nil, templateErrorf(path, "Template error: Fn::Select requires a list argument with two elements: an integer index and a list")
	}
	iv, err := r.resolve(a[0], path)
	if err != nil {
		return nil, err
	}
	is, _ := scalarString(iv)
	index, err := strconv.Atoi(is)
	if err != nil {
		return nil, templateErrorf(path, "Template error: Fn::Select requires a list argument with two elements: an integer index and a list")
	}
	list, err := r.resolveList(a[1], path+".Fn::Select")
	if err != nil {
		return nil, err
	}
	if index < 0 || index >= len(list) {
		return nil, templateErrorf(path, "Template error: Fn::Select cannot select nonexistent value at index %d", index)
	}
	return list[index], nil
}

func (r *resolver) split(arg any, path string) (any, error) {
	a, ok := arg.([]any)
	if !ok || len(a) != 2 {
		return nil, templateErrorf(path, "Template error: every Fn::Split object requires two parameters, (1) a string delimiter and (2) a string to be split or a function that returns a string to be split.")
	}
	delim, ok := a[0].(string)
	src, err := r.resolve(a[1], path+".Fn::Split")
	if err != nil {
		return nil, err
	}
	s, isString := src.(string)
	if !ok || !isString || delim == "" {
		return nil, templateErrorf(path, "Template error: every Fn::Split object requires two parameters, (1) a string delimiter and (2) a string to be split or a function that returns a string to be split.")
	}
	parts := strings.Split(s, delim)
	out := make([]any, len(parts))
	for i, p := range parts {
		out[i] = p
	}
	return out, nil
}

func (r *resolver) ifFn(arg any, path string) (any, error) {
	a, ok := arg.([]any)
	var name string
	if ok && len(a) == 3 {
		name, ok = a[0].(string)
	}
	if !ok || name == "" {
		return nil, templateErrorf(path, "Template error: Fn::If requires a list argument with three elements")
	}
	cond, known := r.conditions[name]
	if !known {
		return nil, templateErrorf(path, "Template format error: Unresolved condition dependency %s in Fn::If", name)
	}
	if cond {
		return r.resolve(a[1], path)
	}
	return r.resolve(a[2], path)
}

func (r *resolver) findInMap(arg any, path string) (any, error) {
	a, ok := arg.([]any)
	if !ok || len(a) != 3 {
		return nil, templateErrorf(path, "Template error: every Fn::FindInMap object requires three parameters, the map name, map key and the attribute for return value")
	}
	keys := make([]string, 3)
	for i, e := range a {
		v, err := r.resolve(e, path)
		if err != nil {
			return nil, err
		}
		s, ok := scalarString(v)
		if !ok {
			return nil, templateErrorf(path, "Template error: every Fn::FindInMap object requires three parameters, the map name, map key and the attribute for return value")
		}
		keys[i] = s
	}
	m, ok := r.tmpl.Mappings[keys[0]]
	if !ok {
		return nil, templateErrorf(path, "Template error: Mapping named '%s' is not present in the 'Mappings' section of template.", keys[0])
	}
	v, ok := m[keys[1]][keys[2]]
	if !ok {
		return nil, templateErrorf(path, "Template error: Unable to get mapping for %s::%s::%s", keys[0], keys[1], keys[2])
	}
	return v, nil
}

// scalarString renders a resolved scalar as CloudFormation strings it.
func scalarString(v any) (string, bool) {
	switch t := v.(type) {
	case string:
		return t, true
	case json.Number:
		return t.String(), true
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(t), true
	}
	return "", false
}

func describe(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%T", v)
	}
	return string(b)
}
