package main

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestLimiterMemoryIsBounded: failures under ever more distinct emails
// (each as long as a key may be) and from ever more addresses keep at most
// maxKeys keys of at most maxKeyLen bytes, each with at most its limit of
// failure times; the newest keys are still limited.
func TestLimiterMemoryIsBounded(t *testing.T) {
	now := time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC)
	l := newLoginLimiter(func() time.Time { return now })
	long := strings.Repeat("x", 10<<10)
	for i := range 3 * maxKeys {
		now = now.Add(time.Millisecond)
		email := limitKey{"email", fmt.Sprintf("%d-%s@example.com", i, long)}
		addr := limitKey{"addr", fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)}
		for range 8 { // more than either limit
			l.failed(email, addr)
		}
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
