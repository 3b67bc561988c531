package sessionsql

import (
	"bytes"
	"reflect"
	"sync"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/sessionsql/sessionsql/internal/gobwalk"
)

// touchMemory bounds the copies of recently found sessions the touch
// threshold keeps: 16 MiB.
const touchMemory = 16 << 20

// touch skips Commits that would only push an unchanged session's expiry a
// little: scs with IdleTimeout re-commits every session on every request.
// It remembers, for each token Find returned recently, the data and expiry
// the database held; a Commit of equal session values whose expiry is less
// than threshold after that one writes nothing.
type touch struct {
	threshold time.Duration
	codec     scs.Codec
	gob       bool // codec is scs's gob codec: sessions can be walked
	maxBytes  int

	mu        sync.Mutex
	cur, prev map[string]*seen // two generations: lookups see both
	curBytes  int
}

// seen is what the database held for a token when Find last read it.
type seen struct {
	data   []byte // a private copy, never changed
	expiry time.Time

	decodeOnce sync.Once // the decoded session, made on first comparison
	deadline   time.Time
	values     map[string]any
	decodeErr  error

	walkOnce sync.Once // the walked session, for scs's gob codec
	walked   gobwalk.Session
	walkedOK bool
}

func (s *seen) walk() (gobwalk.Session, bool) {
	s.walkOnce.Do(func() { s.walked, s.walkedOK = gobwalk.Parse(s.data) })
	return s.walked, s.walkedOK
}

// sameWalked compares data with s without decoding either, when both can
// be walked (scs's gob codec, flat values); ok is false otherwise.
func (s *seen) sameWalked(data []byte) (same, ok bool) {
	w, ok := s.walk()
	if !ok {
		return false, false
	}
	buf := entriesPool.Get().(*[]gobwalk.Entry)
	defer entriesPool.Put(buf)
	return w.Same(data, buf)
}

func (s *seen) decoded(codec scs.Codec) (time.Time, map[string]any, error) {
	s.decodeOnce.Do(func() { s.deadline, s.values, s.decodeErr = codec.Decode(s.data) })
	return s.deadline, s.values, s.decodeErr
}

func newTouch(threshold time.Duration, codec scs.Codec) *touch {
	if codec == nil {
		codec = scs.GobCodec{}
	}
	_, gob := codec.(scs.GobCodec)
	return &touch{threshold: threshold, codec: codec, gob: gob, maxBytes: touchMemory, cur: map[string]*seen{}}
}

// remember records what Find read. A session Find keeps returning
// unchanged (the usual case: the touch threshold skipped its writes) keeps
// its copy and its decoded values; only the expiry is refreshed. Sessions
// too big to be worth keeping are not remembered; their Commits always
// write.
func (t *touch) remember(token string, data []byte, expiry time.Time) {
	if len(data) > t.maxBytes/64 {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	old, inCur := t.cur[token]
	if !inCur {
		old = t.prev[token]
	}
	if old != nil && old.expiry.Equal(expiry) && bytes.Equal(old.data, data) {
		if !inCur {
			t.cur[token] = old
			t.curBytes += len(old.data)
		}
		return
	}
	s := &seen{data: bytes.Clone(data), expiry: expiry}
	if t.curBytes+len(data) > t.maxBytes/2 {
		t.prev, t.cur, t.curBytes = t.cur, map[string]*seen{}, 0
	}
	t.cur[token] = s
	t.curBytes += len(data)
}

// forget drops what is remembered of token: after Delete, or once a Commit
// has written something newer.
func (t *touch) forget(token string) {
	t.mu.Lock()
	delete(t.cur, token)
	delete(t.prev, token)
	t.mu.Unlock()
}

// unchanged reports whether committing data with expiry may be skipped:
// Find read this token recently, the expiry moves forward by less than the
// threshold, and the session values are equal.
func (t *touch) unchanged(token string, data []byte, expiry time.Time) bool {
	t.mu.Lock()
	s, ok := t.cur[token]
	if !ok {
		s, ok = t.prev[token]
	}
	t.mu.Unlock()
	if !ok {
		return false
	}
	if ahead := expiry.Sub(s.expiry); ahead < 0 || ahead >= t.threshold {
		return false
	}
	if bytes.Equal(s.data, data) {
		return true
	}
	if t.gob {
		if same, ok := s.sameWalked(data); ok {
			return same
		}
	}
	deadline, values, err := s.decoded(t.codec)
	if err != nil {
		return false
	}
	return sameValues(t.codec, deadline, values, data)
}

// sameValues reports whether b decodes to deadline and values.
func sameValues(codec scs.Codec, deadline time.Time, values map[string]any, b []byte) bool {
	db, vb, err := codec.Decode(b)
	if err != nil {
		return false
	}
	return deadline.Equal(db) && reflect.DeepEqual(values, vb)
}
