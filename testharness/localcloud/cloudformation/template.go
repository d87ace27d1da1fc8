package cloudformation

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
)

// template is a parsed CloudFormation template (JSON, as CDK synthesizes
// it). Numbers stay json.Number so that integers reach provisioners and
// custom resources exactly as written.
type template struct {
	Description string                               `json:"Description"`
	Parameters  map[string]parameterDecl             `json:"Parameters"`
	Mappings    map[string]map[string]map[string]any `json:"Mappings"`
	Conditions  map[string]any                       `json:"Conditions"`
	Resources   map[string]*resourceDecl             `json:"Resources"`
	Outputs     map[string]outputDecl                `json:"Outputs"`
	// Rules is evaluated by CloudFormation before a deployment; the local
	// cloud does not evaluate it (CDK's only rule checks the bootstrap
	// version, which the local cloud has no bootstrap stack for).
	Rules json.RawMessage `json:"Rules"`
}

type parameterDecl struct {
	Type          string `json:"Type"`
	Default       any    `json:"Default"`
	AllowedValues []any  `json:"AllowedValues"`
	NoEcho        any    `json:"NoEcho"`
	Description   string `json:"Description"`
}

type resourceDecl struct {
	Type           string         `json:"Type"`
	Properties     map[string]any `json:"Properties"`
	DependsOn      any            `json:"DependsOn"`
	Condition      string         `json:"Condition"`
	Metadata       map[string]any `json:"Metadata"`
	DeletionPolicy string         `json:"DeletionPolicy"`
}

type outputDecl struct {
	Value       any    `json:"Value"`
	Description string `json:"Description"`
	Condition   string `json:"Condition"`
	Export      *struct {
		Name any `json:"Name"`
	} `json:"Export"`
}

// parseTemplate decodes a template body. Errors read as CloudFormation's
// ValidateTemplate answers.
func parseTemplate(body []byte) (*template, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var t template
	if err := dec.Decode(&t); err != nil {
		return nil, fmt.Errorf("Template format error: JSON not well-formed (the local cloud reads JSON templates only): %w", err)
	}
	if len(t.Resources) == 0 {
		return nil, fmt.Errorf("Template format error: At least one Resources member must be defined.")
	}
	for id, r := range t.Resources {
		if r == nil || r.Type == "" {
			return nil, fmt.Errorf("Template format error: [/Resources/%s] Every Resources object must contain a Type member.", id)
		}
	}
	return &t, nil
}

// dependsOn returns a resource's DependsOn as a list.
func (r *resourceDecl) dependsOn() []string {
	switch d := r.DependsOn.(type) {
	case string:
		return []string{d}
	case []any:
		out := make([]string, 0, len(d))
		for _, v := range d {
			if s, ok := v.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
