package store

import (
	"sync/atomic"
	"time"
)

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

// LatencyRecorder collects a Latency safely from many goroutines. Its zero
// value is ready to use.
type LatencyRecorder struct {
	sum     atomic.Int64
	buckets [len(LatencyBounds) + 1]atomic.Int64
}

// Observe records one operation that took d.
func (r *LatencyRecorder) Observe(d time.Duration) {
	i := 0
	for i < len(LatencyBounds) && d > LatencyBounds[i] {
		i++
	}
	r.buckets[i].Add(1)
	r.sum.Add(int64(d))
}

// Snapshot returns what r has recorded so far. Count is the sum of the
// buckets, so the two always agree even while operations are recorded.
func (r *LatencyRecorder) Snapshot() Latency {
	l := Latency{Sum: time.Duration(r.sum.Load())}
	for i := range r.buckets {
		l.Buckets[i] = r.buckets[i].Load()
		l.Count += l.Buckets[i]
	}
	return l
}
