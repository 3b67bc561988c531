package sessionsql

import (
	"sync/atomic"
	"time"
)

// Stats counts what a store has done since it was created; every count
// only grows.
type Stats struct {
	Finds      int64 // Find calls that reached the database
	FindHits   int64 // of those, the ones that returned a live session
	Commits    int64 // Commit calls that passed validation
	Writes     int64 // of those, the ones that wrote to the database
	Refused    int64 // of those, the ones of a session deleted lately: not written back (not among Writes)
	TouchSkips int64 // of those, the ones the touch threshold made unnecessary (not among Writes or Refused, even of a session deleted meanwhile)
	Deletes    int64 // Delete calls that reached the database
	Errors     int64 // operations that failed with a system error

	// Grouped counts the operations that ran together with others, in one
	// statement or transaction (see the backend's documentation).
	Grouped int64

	// How long Find, Commit and Delete took, from call to return.
	FindLatency, CommitLatency, DeleteLatency Latency
}

// LatencyBounds are the upper bounds of the latency histogram's buckets,
// from 100 µs to 1 s.
var LatencyBounds = [...]time.Duration{
	100 * time.Microsecond, 250 * time.Microsecond, 500 * time.Microsecond,
	time.Millisecond, 2500 * time.Microsecond, 5 * time.Millisecond,
	10 * time.Millisecond, 25 * time.Millisecond, 50 * time.Millisecond,
	100 * time.Millisecond, 250 * time.Millisecond, time.Second,
}

// Latency is a histogram of how long one kind of operation took, from the
// call to the return, errors included.
type Latency struct {
	Count int64         // operations measured
	Sum   time.Duration // their total time
	// Buckets[i] counts the operations that took at most LatencyBounds[i]
	// and more than the bound before it; the last bucket counts the ones
	// slower than every bound.
	Buckets [len(LatencyBounds) + 1]int64
}

// counters are a store's running totals.
type counters struct {
	finds, findHits, commits, writes, refused, touchSkips, deletes, errors atomic.Int64
	findTime, commitTime, deleteTime                                       latencyRecorder
}

// snapshot returns the counters as Stats, with the grouped operations of
// d if it counts them.
func (c *counters) snapshot(d Driver) Stats {
	st := Stats{
		Finds:      c.finds.Load(),
		FindHits:   c.findHits.Load(),
		Commits:    c.commits.Load(),
		Writes:     c.writes.Load(),
		Refused:    c.refused.Load(),
		TouchSkips: c.touchSkips.Load(),
		Deletes:    c.deletes.Load(),
		Errors:     c.errors.Load(),

		FindLatency:   c.findTime.snapshot(),
		CommitLatency: c.commitTime.snapshot(),
		DeleteLatency: c.deleteTime.snapshot(),
	}
	if g, ok := d.(GroupCounter); ok {
		st.Grouped = g.Grouped()
	}
	return st
}

// latencyRecorder collects a Latency from many goroutines at once. Its
// zero value is ready to use.
type latencyRecorder struct {
	sum     atomic.Int64
	buckets [len(LatencyBounds) + 1]atomic.Int64
}

// since records an operation that started at start, on the real clock
// (never the store's injected one).
func (r *latencyRecorder) since(start time.Time) {
	d := time.Since(start)
	i := 0
	for i < len(LatencyBounds) && d > LatencyBounds[i] {
		i++
	}
	r.buckets[i].Add(1)
	r.sum.Add(int64(d))
}

// snapshot returns what r has recorded so far. Count is the sum of the
// buckets, so the two agree even while operations are recorded.
func (r *latencyRecorder) snapshot() Latency {
	l := Latency{Sum: time.Duration(r.sum.Load())}
	for i := range r.buckets {
		l.Buckets[i] = r.buckets[i].Load()
		l.Count += l.Buckets[i]
	}
	return l
}
