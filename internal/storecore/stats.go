package storecore

import (
	"sync/atomic"

	"github.com/sessionsql/sessionsql/store"
)

// counters are the store's running totals.
type counters struct {
	finds, findHits, commits, writes, touchSkips, deletes, errors atomic.Int64
	findTime, commitTime, deleteTime                              store.LatencyRecorder
}

// Stats returns a snapshot of the store's counters.
func (c *Core) Stats() store.Stats {
	return store.Stats{
		Finds:      c.stats.finds.Load(),
		FindHits:   c.stats.findHits.Load(),
		Commits:    c.stats.commits.Load(),
		Writes:     c.stats.writes.Load(),
		TouchSkips: c.stats.touchSkips.Load(),
		Deletes:    c.stats.deletes.Load(),
		Errors:     c.stats.errors.Load(),
		Grouped:    c.grouped(),

		FindLatency:   c.stats.findTime.Snapshot(),
		CommitLatency: c.stats.commitTime.Snapshot(),
		DeleteLatency: c.stats.deleteTime.Snapshot(),
	}
}

// GroupCounter is a Driver that runs operations together and counts them.
type GroupCounter interface {
	// Grouped returns how many operations ran together with others.
	Grouped() int64
}

func (c *Core) grouped() int64 {
	if g, ok := c.driver.(GroupCounter); ok {
		return g.Grouped()
	}
	return 0
}
