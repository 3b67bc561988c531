package main

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestLimiterMemoryIsBounded: failures under ever more distinct emails
// (each as long as a key may be) and from ever more addresses keep at most
// maxKeys keys of at most maxKeyLen bytes, each with at most its limit of
// failure times, in memory as well as in length (keys that were slices of
// the 10 KiB emails would hold 100 MB); the newest keys are still limited.
func TestLimiterMemoryIsBounded(t *testing.T) {
	now := time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC)
	l := newLoginLimiter(func() time.Time { return now })
	long := strings.Repeat("x", 10<<10)
	before := heapInUse()
	for i := range 3 * maxKeys {
		now = now.Add(time.Millisecond)
		email := limitKey{"email", fmt.Sprintf("%d-%s@example.com", i, long)}
		addr := limitKey{"addr", fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)}
		for range 8 { // more than either limit
			l.failed(email, addr)
		}
	}
	if grew := heapInUse() - before; grew > 32<<20 {
		t.Fatalf("the limiter's %d keys hold %d MiB; want at most 32 MiB", len(l.fails), grew>>20)
	}
	if n := len(l.fails); n > maxKeys {
		t.Fatalf("the limiter keeps %d keys, want at most %d", n, maxKeys)
	}
	for key, times := range l.fails {
		if len(key) > maxKeyLen || len(times) > l.limits[strings.SplitN(key, ":", 2)[0]] {
			t.Fatalf("key of %d bytes with %d failure times kept; want at most %d bytes and its limit", len(key), len(times), maxKeyLen)
		}
	}
	newest := limitKey{"email", fmt.Sprintf("%d-%s@example.com", 3*maxKeys-1, long)}
	if l.allowed(newest) {
		t.Fatal("the newest email, which failed 8 times, may try again")
	}
}

// heapInUse is the bytes of live heap objects after a collection.
func heapInUse() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}
