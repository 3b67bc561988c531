package main

import (
	"testing"
	"time"
)

func TestLatencyQuantiles(t *testing.T) {
	var l latencies
	for i := 1; i <= 1000; i++ {
		l.add(time.Duration(i)*time.Millisecond, nil)
	}
	s := l.summarize(time.Second)
	near := func(got, want time.Duration) bool { return got >= want*98/100 && got <= want*102/100 }
	if !near(s.p50, 500*time.Millisecond) || !near(s.p99, 990*time.Millisecond) || s.max != time.Second || s.ops != 1000 {
		t.Fatalf("summary = %+v, want p50≈500ms p99≈990ms max 1s", s)
	}
}
