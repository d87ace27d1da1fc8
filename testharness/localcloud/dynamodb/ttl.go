package dynamodb

import (
	"context"
	"strconv"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/dynamodb/attr"
)

// ttlHorizon: DynamoDB does not delete items whose TTL lies more than five
// years in the past (Developer Guide, "Time to Live": "Items with an
// expiration time older than five years … are not deleted").
const ttlHorizon = 5 * 365 * 24 * time.Hour

// expired tells whether item's TTL attribute, epoch seconds, is before now.
func expired(item attr.Item, name string, now time.Time) bool {
	v, ok := item[name]
	if !ok || v.Type != attr.N {
		return false
	}
	nowN := attr.MustNumber(strconv.FormatInt(now.Unix(), 10))
	oldest := attr.MustNumber(strconv.FormatInt(now.Add(-ttlHorizon).Unix(), 10))
	return v.N.Compare(nowN) < 0 && v.N.Compare(oldest) >= 0
}

// SweepExpired deletes the items whose TTL has passed at now, in every
// table with TTL enabled, and returns how many it deleted. Each deletion
// is a REMOVE change whose UserIdentity is the DynamoDB service, as for
// TTL deletions on AWS. The wiring or a test calls it; StartTTLSweeper
// calls it on the service's clock.
func (s *Service) SweepExpired(ctx context.Context, now time.Time) int {
	s.mu.Lock()
	n := 0
	for _, t := range s.tables {
		if !t.ttlEnabled {
			continue
		}
		var doomed []attr.Item
		t.each(func(it attr.Item) bool {
			if expired(it, t.ttlAttr, now) {
				doomed = append(doomed, it)
			}
			return true
		})
		for _, it := range doomed {
			t.remove(t.keyOf(it))
			s.record(t, it, nil, true)
			n++
		}
	}
	s.mu.Unlock()
	s.flush(ctx)
	return n
}

// StartTTLSweeper sweeps expired items every interval on the service's
// clock until ctx ends. AWS deletes expired items within days; the local
// cloud does so at the next sweep.
func (s *Service) StartTTLSweeper(ctx context.Context, interval time.Duration) {
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case now := <-s.clock.After(interval):
				s.SweepExpired(ctx, now)
			}
		}
	}()
}
