package tracefmt

import (
	"fmt"
	"html/template"
	"io"
	"strings"
)

// HTML writes the waterfall as one self-contained page (inline CSS, no
// scripts, nothing fetched), the same rows and bars as Text.
func HTML(out io.Writer, w *Waterfall) error {
	type htmlRow struct {
		Row
		Indent      int
		Left, Width string
		Class       string
		Offset, Dur string
		Flags       string
	}
	rows := make([]htmlRow, len(w.Rows))
	const cellsPerAxis = 10000 // percent with two decimals
	for i, r := range w.Rows {
		from, to := cells(w, r, cellsPerAxis)
		class := "ok"
		switch {
		case r.Fault:
			class = "fault"
		case r.Error || r.Throttle:
			class = "error"
		}
		rows[i] = htmlRow{
			Row: r, Indent: 16 * r.Depth, Class: class,
			Left:   fmt.Sprintf("%.2f%%", float64(from)/100),
			Width:  fmt.Sprintf("%.2f%%", float64(to-from)/100),
			Offset: "+" + ms(r.Start.Sub(w.Start)), Dur: ms(r.Duration()),
			Flags: strings.TrimSpace(flags(r)),
		}
	}
	return page.Execute(out, map[string]any{
		"Traces": strings.Join(w.TraceIDs, ", "), "Total": ms(w.Duration()), "Rows": rows,
	})
}

var page = template.Must(template.New("waterfall").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Trace {{.Traces}}</title>
<style>
body { font: 13px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 16px; }
table { border-collapse: collapse; width: 100%; }
th, td { padding: 2px 8px; text-align: left; white-space: nowrap; }
th { border-bottom: 1px solid #999; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.axis { width: 50%; position: relative; }
.bar { position: absolute; top: 4px; bottom: 4px; min-width: 2px; border-radius: 2px; }
.ok { background: #4a90d9; }
.error { background: #e0a800; }
.fault { background: #d9534f; }
tr.fault td.name, tr.error td.name { font-weight: bold; }
</style>
</head>
<body>
<h1>Traces {{.Traces}} — {{.Total}}</h1>
<table>
<tr><th>segment</th><th>start</th><th>duration</th><th>0 … {{.Total}}</th><th>flags</th></tr>
{{range .Rows}}<tr class="{{.Class}}">
<td class="name" style="padding-left: {{.Indent}}px" title="trace {{.TraceID}}, id {{.ID}}">{{.Name}}</td>
<td class="num">{{.Offset}}</td>
<td class="num">{{.Dur}}</td>
<td class="axis"><div class="bar {{.Class}}" style="left: {{.Left}}; width: {{.Width}}"></div></td>
<td>{{.Flags}}</td>
</tr>
{{end}}</table>
</body>
</html>
`))
