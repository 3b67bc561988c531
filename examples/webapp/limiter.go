package main

import (
	"sync"
	"time"
)

// loginLimiter refuses logins for an account, or from an address, that
// failed too often lately: a slow brake on password guessing. It keeps its
// counts in memory, so each instance of the app counts its own.
type loginLimiter struct {
	mu     sync.Mutex
	now    func() time.Time
	window time.Duration
	limits map[string]int // per key prefix: "email" and "addr"
	fails  map[string][]time.Time
	calls  int
}

func newLoginLimiter(now func() time.Time) *loginLimiter {
	return &loginLimiter{
		now:    now,
		window: 15 * time.Minute,
		limits: map[string]int{"email": 5, "addr": 50},
		fails:  map[string][]time.Time{},
	}
}

type limitKey struct{ kind, value string }

func (k limitKey) String() string { return k.kind + ":" + k.value }

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

// failed records a failed attempt against every key.
func (l *loginLimiter) failed(keys ...limitKey) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	for _, k := range keys {
		l.fails[k.String()] = append(l.recent(k.String()), now)
	}
	if l.calls++; l.calls%1000 == 0 {
		l.prune()
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

// prune drops keys with no failure inside the window, so memory follows
// the attackers of the last quarter hour, not all time.
func (l *loginLimiter) prune() {
	for key := range l.fails {
		if len(l.recent(key)) == 0 {
			delete(l.fails, key)
		}
	}
}
