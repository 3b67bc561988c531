package main

import (
	"slices"
	"sync"
	"time"
)

// loginLimiter refuses logins for an account, or from an address, that
// failed too often lately: a slow brake on password guessing. It keeps its
// counts in memory, so each instance of the app counts its own, and its
// memory is bounded however many accounts and addresses it sees: at most
// maxKeys keys of at most maxKeyLen bytes, each with at most its limit of
// failure times.
type loginLimiter struct {
	mu      sync.Mutex
	now     func() time.Time
	window  time.Duration
	limits  map[string]int // per key prefix: "email" and "addr"
	fails   map[string][]time.Time
	maxKeys int
}

// The limiter's bounds: how many keys it keeps (past that, the keys whose
// last failure is oldest go first), and how long a key may be (login
// refuses longer emails before they reach the limiter).
const (
	maxKeys   = 10_000
	maxKeyLen = 320
)

func newLoginLimiter(now func() time.Time) *loginLimiter {
	return &loginLimiter{
		now:     now,
		window:  15 * time.Minute,
		limits:  map[string]int{"email": 5, "addr": 50},
		fails:   map[string][]time.Time{},
		maxKeys: maxKeys,
	}
}

type limitKey struct{ kind, value string }

// String is the key as the limiter keeps it: "kind:value", cut to
// maxKeyLen bytes. The value is cut before the two are joined, so that the
// kept key is a string of its own and not a window into a longer one,
// which would keep all of it in memory.
func (k limitKey) String() string {
	v := k.value[:max(0, min(len(k.value), maxKeyLen-len(k.kind)-1))]
	return k.kind + ":" + v
}

// allowed reports whether another attempt may be made for every key.
func (l *loginLimiter) allowed(keys ...limitKey) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keys {
		if len(l.recent(k.String())) >= l.limits[k.kind] {
			return false
		}
	}
	return true
}

// failed records a failed attempt against every key, keeping no more of a
// key's failures than its limit counts.
func (l *loginLimiter) failed(keys ...limitKey) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	for _, k := range keys {
		key := k.String()
		times := append(l.recent(key), now)
		if limit := l.limits[k.kind]; len(times) > limit {
			times = times[len(times)-limit:]
		}
		if _, known := l.fails[key]; !known && len(l.fails) >= l.maxKeys {
			l.makeRoom()
		}
		l.fails[key] = times
	}
}

// succeeded forgets an account's failures once it logs in.
func (l *loginLimiter) succeeded(k limitKey) {
	l.mu.Lock()
	delete(l.fails, k.String())
	l.mu.Unlock()
}

// recent returns key's failures inside the window.
func (l *loginLimiter) recent(key string) []time.Time {
	cutoff := l.now().Add(-l.window)
	times := l.fails[key]
	i := 0
	for i < len(times) && !times[i].After(cutoff) {
		i++
	}
	return times[i:]
}

// makeRoom drops the keys with no failure inside the window and, if that
// frees less than a tenth of maxKeys, the keys whose last failure is
// oldest, until a tenth is free: a flood of new keys then costs one scan
// per tenth of them.
func (l *loginLimiter) makeRoom() {
	for key := range l.fails {
		if len(l.recent(key)) == 0 {
			delete(l.fails, key)
		}
	}
	for target := l.maxKeys - l.maxKeys/10; len(l.fails) > target; {
		cutoff := l.oldestLast(len(l.fails) - target)
		for key, times := range l.fails {
			if len(l.fails) <= target {
				break
			}
			if !times[len(times)-1].After(cutoff) {
				delete(l.fails, key)
			}
		}
	}
}

// oldestLast returns a time at or after the last failure of at least n
// keys: the n-th oldest last failure.
func (l *loginLimiter) oldestLast(n int) time.Time {
	lasts := make([]time.Time, 0, len(l.fails))
	for _, times := range l.fails {
		lasts = append(lasts, times[len(times)-1])
	}
	slices.SortFunc(lasts, time.Time.Compare)
	return lasts[n-1]
}
