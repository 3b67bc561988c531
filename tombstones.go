package sessionsql

import (
	"sync"
	"sync/atomic"
	"time"
)

// revokedTTL is how long a store refuses to write back a session its owner
// methods revoked: longer than any request that was already in flight when
// the session was revoked (scs commits after the handler returns).
const revokedTTL = 2 * time.Minute

// tombstones remembers revoked tokens until their time is up.
type tombstones struct {
	n     atomic.Int64 // len(until), so that Commit skips the lock when empty
	mu    sync.Mutex
	until map[string]time.Time
}

// add remembers tokens until until, and forgets those whose time is up.
func (t *tombstones) add(tokens []string, until time.Time) {
	if len(tokens) == 0 {
		return
	}
	now := until.Add(-revokedTTL)
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.until == nil {
		t.until = map[string]time.Time{}
	}
	for tok, u := range t.until {
		if !now.Before(u) {
			delete(t.until, tok)
		}
	}
	for _, tok := range tokens {
		t.until[tok] = until
	}
	t.n.Store(int64(len(t.until)))
}

// has reports whether token was revoked less than revokedTTL before now.
func (t *tombstones) has(token string, now time.Time) bool {
	if t.n.Load() == 0 {
		return false
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	until, ok := t.until[token]
	if ok && !now.Before(until) {
		delete(t.until, token)
		t.n.Store(int64(len(t.until)))
		return false
	}
	return ok
}
