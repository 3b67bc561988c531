package main

import (
	"math"
	"sync"
	"time"
)

// latencies collects operation latencies and failures, safely from many
// goroutines, in a fixed-size log histogram (1% wide buckets from 1µs to
// about 2 minutes), so its memory does not grow with the number of
// operations and never shows up in the heap measurements.
type latencies struct {
	mu      sync.Mutex
	buckets [bucketCount]int64
	n       int64
	max     time.Duration
	failed  int
	errs    map[string]int
}

const (
	bucketGrowth = 1.01
	bucketCount  = 1900 // 1.01^1900 µs ≈ 2.8 minutes
)

func bucketOf(d time.Duration) int {
	us := float64(d) / float64(time.Microsecond)
	if us <= 1 {
		return 0
	}
	return min(int(math.Log(us)/math.Log(bucketGrowth))+1, bucketCount-1)
}

// upper is the largest latency bucket i holds.
func upper(i int) time.Duration {
	return time.Duration(math.Pow(bucketGrowth, float64(i)) * float64(time.Microsecond))
}

func (l *latencies) add(d time.Duration, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err != nil {
		l.failed++
		if l.errs == nil {
			l.errs = map[string]int{}
		}
		if len(l.errs) < 10 {
			l.errs[err.Error()]++
		}
		return
	}
	l.buckets[bucketOf(d)]++
	l.n++
	l.max = max(l.max, d)
}

// summary is what a latencies collection reports.
type summary struct {
	ops           int
	failed        int
	p50, p99, max time.Duration
	opsPerSec     float64
	firstErr      string
}

func (l *latencies) quantile(q float64) time.Duration {
	rank := int64(math.Ceil(q * float64(l.n)))
	var seen int64
	for i, c := range l.buckets {
		seen += c
		if seen >= rank {
			return min(upper(i), l.max)
		}
	}
	return l.max
}

func (l *latencies) summarize(window time.Duration) summary {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := summary{ops: int(l.n), failed: l.failed, max: l.max}
	if window > 0 {
		s.opsPerSec = float64(l.n) / window.Seconds()
	}
	for e := range l.errs {
		s.firstErr = e
		break
	}
	if l.n > 0 {
		s.p50, s.p99 = l.quantile(0.50), l.quantile(0.99)
	}
	return s
}

// merge adds o's operations to l.
func (l *latencies) merge(o *latencies) {
	l.mu.Lock()
	defer l.mu.Unlock()
	o.mu.Lock()
	defer o.mu.Unlock()
	for i, c := range o.buckets {
		l.buckets[i] += c
	}
	l.n += o.n
	l.max = max(l.max, o.max)
	l.failed += o.failed
	for e, c := range o.errs {
		if l.errs == nil {
			l.errs = map[string]int{}
		}
		l.errs[e] += c
	}
}
