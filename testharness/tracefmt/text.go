package tracefmt

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// Text writes the waterfall for a terminal: a header per trace set, then
// one line per row — the name indented by depth, the offset from the
// first start, the duration, a bar of barWidth cells on the shared time
// axis, and the row's flags. barWidth < 10 is taken as 10.
func Text(out io.Writer, w *Waterfall, barWidth int) error {
	if barWidth < 10 {
		barWidth = 10
	}
	nameWidth := len("segment")
	for _, r := range w.Rows {
		nameWidth = max(nameWidth, 2*r.Depth+len([]rune(r.Name)))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "traces %s  (%s, %d segments and subsegments)\n",
		strings.Join(w.TraceIDs, ", "), ms(w.Duration()), len(w.Rows))
	fmt.Fprintf(&b, "%-*s  %9s  %9s  |%s|\n", nameWidth, "segment", "start", "duration", axis(w.Duration(), barWidth))
	for _, r := range w.Rows {
		name := strings.Repeat("  ", r.Depth) + r.Name
		fmt.Fprintf(&b, "%-*s  %9s  %9s  |%s|%s\n", nameWidth, name,
			"+"+ms(r.Start.Sub(w.Start)), ms(r.Duration()), bar(w, r, barWidth), flags(r))
	}
	_, err := io.WriteString(out, b.String())
	return err
}

// axis labels the bar column with the total duration at its right end.
func axis(total time.Duration, width int) string {
	label := ms(total)
	if len(label)+2 > width {
		return strings.Repeat("-", width)
	}
	return "0" + strings.Repeat("-", width-1-len(label)) + label
}

// bar draws r's span on the axis: at least one cell, so that an instant
// (or an in-progress row) still shows where it happened.
func bar(w *Waterfall, r Row, width int) string {
	from, to := cells(w, r, width)
	fill := "="
	switch {
	case r.Fault:
		fill = "!"
	case r.Error || r.Throttle:
		fill = "?"
	}
	return strings.Repeat(" ", from) + strings.Repeat(fill, to-from) + strings.Repeat(" ", width-to)
}

// cells is the half-open cell range [from, to) of r on an axis of width
// cells.
func cells(w *Waterfall, r Row, width int) (from, to int) {
	total := w.Duration()
	if total <= 0 {
		return 0, width
	}
	scale := func(t time.Time) int {
		return int(float64(t.Sub(w.Start)) / float64(total) * float64(width))
	}
	from, to = min(scale(r.Start), width-1), min(scale(r.End), width)
	if to <= from {
		to = from + 1
	}
	return from, to
}

// flags names what went wrong in r, and its origin for segments.
func flags(r Row) string {
	var parts []string
	if r.Origin != "" {
		parts = append(parts, r.Origin)
	}
	for _, f := range []struct {
		on   bool
		name string
	}{{r.Fault, "FAULT"}, {r.Error, "ERROR"}, {r.Throttle, "THROTTLE"}, {r.InProgress, "IN PROGRESS"}} {
		if f.on {
			parts = append(parts, f.name)
		}
	}
	if r.Cause != "" {
		parts = append(parts, fmt.Sprintf("%q", r.Cause))
	}
	if len(parts) == 0 {
		return ""
	}
	return " " + strings.Join(parts, " ")
}

// ms renders a duration in milliseconds with one decimal.
func ms(d time.Duration) string {
	return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
}
