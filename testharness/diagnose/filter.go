package diagnose

import (
	"context"
	"fmt"
	"strings"
)

// filterOwner names the filter checkFilter tests, in the report's words:
// a pipe's, or an event source mapping's.
type filterOwner struct {
	link     string // "pipe filter", "mapping filter"
	resource string
	who      string // "pipe users", "event source mapping 1a2b… (queue orders → function worker)"
	item     string // what passes the filter: "record", "message"
}

// checkFilter tests the item (as its consumer's filters see it, with the
// envelope TestEventPattern wants) against a filter's patterns through
// EventBridge's TestEventPattern: it passes when one matches (or there are
// none); otherwise the pattern closest to matching names the fields it
// rejects. A pattern that could not be tested leaves the filter unchecked
// unless another passes. It reports false when the filter drops the item.
func (d *Diagnoser) checkFilter(ctx context.Context, r *report, f filterOwner, patterns []string, event []byte) (bool, error) {
	if len(patterns) == 0 {
		r.ok(f.link, f.resource, "no filter: every "+f.item+" passes")
		return true, nil
	}
	var (
		nearest  []rejection
		untested bool
	)
	for i, pattern := range patterns {
		ok, err := d.matches(ctx, pattern, event)
		if ok && err == nil {
			r.ok(f.link, f.resource, "filter "+pattern+" passes the "+f.item)
			return true, nil
		}
		var rej []rejection
		if err == nil {
			rej, err = d.rejections(ctx, pattern, event)
		}
		if err != nil {
			if err := r.couldNotCheck(ctx, f.link, f.resource, fmt.Errorf("filter %d: %w", i+1, err)); err != nil {
				return false, err
			}
			untested = true
			continue
		}
		if nearest == nil || len(rej) < len(nearest) {
			nearest = rej
		}
	}
	if untested {
		return true, nil // the pattern that could not be tested may pass it
	}
	why := make([]string, len(nearest))
	for i, rej := range nearest {
		why[i] = strings.Replace(rej.String(), "the pattern wants", "the filter wants", 1)
	}
	r.broken(f.link, f.resource, "%s's filter drops the %s: %s", f.who, f.item, strings.Join(why, "; "))
	return false, nil
}
