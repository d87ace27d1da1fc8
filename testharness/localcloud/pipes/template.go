package pipes

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// template is a compiled Pipes InputTemplate (EventBridge User Guide,
// "Amazon EventBridge Pipes input transformation"): text with
// placeholders "<$.json.path>" and the reserved variables
// "<aws.pipes.pipe-name>", "<aws.pipes.pipe-arn>", "<aws.pipes.source-arn>",
// "<aws.pipes.target-arn>", "<aws.pipes.enrichment-arn>",
// "<aws.pipes.event.ingestion-time>" and "<aws.pipes.event.json>". A
// placeholder inside a JSON string is replaced by the value's text;
// elsewhere by the value as JSON. It is applied to each record.
type template struct {
	parts []templatePart
}

type templatePart struct {
	text   string
	isPath bool       // a "$…" placeholder
	path   []pathStep // its steps ("$" has none)
	name   string     // a reserved variable
	quoted bool
}

type pathStep struct {
	key   string
	index int // -1 for a key
}

// templateVars are the values of the reserved variables for one pipe.
type templateVars struct {
	pipeName, pipeARN, sourceARN, targetARN, enrichmentARN string
	now                                                    time.Time
}

func parseTemplate(src string) (*template, error) {
	t := &template{}
	rest := src
	inString := false
	for {
		i := strings.IndexByte(rest, '<')
		if i < 0 {
			t.parts = append(t.parts, templatePart{text: rest})
			return t, nil
		}
		inString = scanQuotes(rest[:i], inString)
		end := strings.IndexByte(rest[i:], '>')
		if end < 0 {
			t.parts = append(t.parts, templatePart{text: rest})
			return t, nil
		}
		inner := rest[i+1 : i+end]
		t.parts = append(t.parts, templatePart{text: rest[:i]})
		switch {
		case strings.HasPrefix(inner, "$"):
			steps, err := parsePath(inner)
			if err != nil {
				return nil, err
			}
			t.parts = append(t.parts, templatePart{isPath: true, path: steps, quoted: inString})
		case strings.HasPrefix(inner, "aws.pipes."):
			t.parts = append(t.parts, templatePart{name: inner, quoted: inString})
		default:
			t.parts = append(t.parts, templatePart{text: "<" + inner + ">"})
		}
		rest = rest[i+end+1:]
	}
}

// scanQuotes reports whether the text leaves a JSON string open, given
// whether it started inside one.
func scanQuotes(s string, in bool) bool {
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && in:
			i++
		case s[i] == '"':
			in = !in
		}
	}
	return in
}

func parsePath(p string) ([]pathStep, error) {
	if p == "$" {
		return nil, nil
	}
	if !strings.HasPrefix(p, "$.") {
		return nil, fmt.Errorf("invalid JSON path %q", p)
	}
	var steps []pathStep
	for _, seg := range strings.Split(p[2:], ".") {
		key, idx, hasIdx := strings.Cut(seg, "[")
		if key == "" && !hasIdx {
			return nil, fmt.Errorf("invalid JSON path %q", p)
		}
		if key != "" {
			steps = append(steps, pathStep{key: key, index: -1})
		}
		for hasIdx {
			var n string
			n, idx, _ = strings.Cut(idx, "]")
			i, err := strconv.Atoi(n)
			if err != nil || i < 0 {
				return nil, fmt.Errorf("invalid JSON path %q", p)
			}
			steps = append(steps, pathStep{index: i})
			_, idx, hasIdx = strings.Cut(idx, "[")
		}
	}
	return steps, nil
}

// apply renders the template for one record (raw JSON).
func (t *template) apply(record []byte, vars templateVars) ([]byte, error) {
	var doc any
	dec := json.NewDecoder(bytes.NewReader(record))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("input transformation: record is not JSON: %w", err)
	}
	var out bytes.Buffer
	for _, p := range t.parts {
		var v any
		switch {
		case p.isPath:
			v = lookup(doc, p.path)
		case p.name != "":
			v = vars.value(p.name, doc)
		default:
			out.WriteString(p.text)
			continue
		}
		b, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("input transformation: %w", err)
		}
		if p.quoted {
			if s, ok := v.(string); ok {
				b, _ = json.Marshal(s)
			} else {
				b, _ = json.Marshal(string(b))
			}
			b = b[1 : len(b)-1]
		}
		out.Write(b)
	}
	return out.Bytes(), nil
}

func lookup(v any, steps []pathStep) any {
	for _, s := range steps {
		switch x := v.(type) {
		case map[string]any:
			if s.index >= 0 {
				return nil
			}
			v = x[s.key]
		case []any:
			if s.index < 0 || s.index >= len(x) {
				return nil
			}
			v = x[s.index]
		default:
			return nil
		}
	}
	return v
}

func (v templateVars) value(name string, doc any) any {
	switch name {
	case "aws.pipes.pipe-name":
		return v.pipeName
	case "aws.pipes.pipe-arn":
		return v.pipeARN
	case "aws.pipes.source-arn":
		return v.sourceARN
	case "aws.pipes.target-arn":
		return v.targetARN
	case "aws.pipes.enrichment-arn":
		return v.enrichmentARN
	case "aws.pipes.event.ingestion-time":
		return v.now.UTC().Format(time.RFC3339Nano)
	case "aws.pipes.event.json", "aws.pipes.event":
		return doc
	}
	return nil
}
