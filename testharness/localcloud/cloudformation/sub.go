package cloudformation

import (
	"strings"
)

// sub evaluates Fn::Sub in its string and [string, {vars}] forms:
// ${Name} is a variable, a parameter, a pseudo parameter or a resource's
// Ref; ${Res.Attr} is Fn::GetAtt; ${!Literal} is the text ${Literal}.
func (r *resolver) sub(arg any, path string) (any, error) {
	var format string
	vars := map[string]any{}
	switch a := arg.(type) {
	case string:
		format = a
	case []any:
		if len(a) != 2 {
			return nil, templateErrorf(path, "Template error: One or more Fn::Sub intrinsic functions don't specify expected arguments. Specify a string as first argument, and an optional second argument to specify a mapping of values to replace in the string")
		}
		s, ok := a[0].(string)
		m, isMap := a[1].(map[string]any)
		if !ok || !isMap {
			return nil, templateErrorf(path, "Template error: One or more Fn::Sub intrinsic functions don't specify expected arguments. Specify a string as first argument, and an optional second argument to specify a mapping of values to replace in the string")
		}
		format = s
		for k, v := range m {
			rv, err := r.resolve(v, path+".Fn::Sub."+k)
			if err != nil {
				return nil, err
			}
			vars[k] = rv
		}
	default:
		return nil, templateErrorf(path, "Template error: One or more Fn::Sub intrinsic functions don't specify expected arguments. Specify a string as first argument, and an optional second argument to specify a mapping of values to replace in the string")
	}
	var out strings.Builder
	for _, tok := range subTokens(format) {
		if !tok.variable {
			out.WriteString(tok.text)
			continue
		}
		v, err := r.subVariable(tok.text, vars, path)
		if err != nil {
			return nil, err
		}
		s, ok := scalarString(v)
		if !ok {
			return nil, templateErrorf(path, "Template error: variable ${%s} in Fn::Sub resolves to %s, not a string", tok.text, describe(v))
		}
		out.WriteString(s)
	}
	return out.String(), nil
}

func (r *resolver) subVariable(name string, vars map[string]any, path string) (any, error) {
	if v, ok := vars[name]; ok {
		return v, nil
	}
	if strings.HasPrefix(name, "AWS::") {
		return r.ref(name, path)
	}
	if res, attr, ok := strings.Cut(name, "."); ok {
		return r.getAtt([]any{res, attr}, path)
	}
	return r.ref(name, path)
}

type subToken struct {
	text     string
	variable bool
}

// subTokens splits an Fn::Sub string into literal text and ${variables};
// ${!X} stays the literal ${X}.
func subTokens(format string) []subToken {
	var toks []subToken
	for {
		i := strings.Index(format, "${")
		if i < 0 {
			break
		}
		end := strings.Index(format[i:], "}")
		if end < 0 {
			break
		}
		if i > 0 {
			toks = append(toks, subToken{text: format[:i]})
		}
		inner := format[i+2 : i+end]
		if strings.HasPrefix(inner, "!") {
			toks = append(toks, subToken{text: "${" + inner[1:] + "}"})
		} else {
			toks = append(toks, subToken{text: strings.TrimSpace(inner), variable: true})
		}
		format = format[i+end+1:]
	}
	if format != "" {
		toks = append(toks, subToken{text: format})
	}
	return toks
}
