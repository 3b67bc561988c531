package main

import (
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"time"

	"github.com/alexedwards/scs/v2"
)

// sessionBlobs returns encodings of one real scs session (gob, several
// keys) of about size bytes, as an app with a user id, a name, flashes and
// a cart would store. gob writes a map's keys in a random order, so the
// encodings differ byte for byte, as scs's re-encodings of one session do.
func sessionBlobs(size, n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		out[i] = sessionBlob(size, 42)
	}
	return out
}

// blobDeadline is the scs deadline inside every session the benchmarks
// encode: re-encodings of one session must hold equal values, deadline
// included, for the touch threshold to see them as unchanged.
var blobDeadline = time.Now().Add(48 * time.Hour)

// loginBlobs returns one session of about size bytes for each of users
// users (user_id 0 to users-1): the sessions logins create.
func loginBlobs(size, users int) [][]byte {
	out := make([][]byte, users)
	for i := range out {
		out[i] = sessionBlob(size, i)
	}
	return out
}

// sessionBlob is one gob-encoded scs session of user userID, about size
// bytes.
func sessionBlob(size, userID int) []byte {
	values := map[string]any{"user_id": userID, "name": "Ada", "flash": "Saved."}
	filler := max(size-200, 8)
	const keys = 4
	for k := range keys {
		values[fmt.Sprintf("cart_%d", k)] = strings.Repeat(string(rune('a'+k)), filler/keys)
	}
	b, err := scs.GobCodec{}.Encode(blobDeadline, values)
	if err != nil {
		panic(err)
	}
	return b
}

// activeSessions is how many sessions the IdleTimeout workload spreads its
// requests over: users who are clicking around right now. At the request
// rates of these machines each of them comes back every fraction of a
// second to a few seconds, as an interactive user does.
const activeSessions = 1000

// tokens are made before a cell runs, so that the harness allocates nothing
// per operation.
type tokens struct {
	hit   []string // seeded live sessions
	miss  []string // never stored
	fresh []string // random, never stored yet: for Commit new and RenewToken
}

func makeTokens(rows, fresh int) *tokens {
	t := &tokens{hit: make([]string, rows), miss: make([]string, 100_000), fresh: make([]string, fresh)}
	for i := range t.hit {
		t.hit[i] = fmt.Sprintf("tok-%d", i)
	}
	for i := range t.miss {
		t.miss[i] = fmt.Sprintf("miss-%d", i)
	}
	rng := rand.New(rand.NewPCG(7, 7))
	raw := make([]byte, 32)
	for i := range t.fresh {
		// As scs makes them: 32 random bytes, base64url, so that new rows
		// land all over the token index as real sessions do.
		for j := range raw {
			raw[j] = byte(rng.Uint32())
		}
		t.fresh[i] = base64.RawURLEncoding.EncodeToString(raw)
	}
	return t
}

// worker is one concurrent caller's state.
type worker struct {
	rng  *rand.Rand
	req  *http.Request
	rec  *httptest.ResponseRecorder
	last string // the session this worker's last RenewToken created
}

// cursor hands out fresh tokens across cells and workers of one impl.
type cursor struct{ committed atomic.Int64 }

// workload is one kind of operation.
type workload struct {
	name string
	// op runs one operation for w against im.
	op func(env *cellEnv, w *worker) error
	// big says whether it also runs against the 10^6-row tables.
	big bool
	// prepare, if set, runs before the warm-up.
	prepare func(env *cellEnv) error
	// refill, if set, runs before the warm-up and before every round,
	// untimed: given how long the last loop of operations ran (0 before
	// the first) and how long the next one will, it writes the rows the
	// next loop's operations need.
	refill func(env *cellEnv, last, next time.Duration) error
}

// cellEnv is what a workload's operations need.
type cellEnv struct {
	im       *impl
	tok      *tokens
	rows     int
	data     []byte
	cur      *cursor
	http     http.Handler // LoadAndSave around a handler that reads the session
	variants [][]byte     // re-encodings of data's session
	logins   [][]byte     // sessions of different users, as logins create them
	expiry   time.Time
	doomed   doomed // the Delete workload's sessions
}

var workloads = []workload{
	{name: "Find hit", big: true, op: func(e *cellEnv, w *worker) error {
		_, found, err := e.im.store.Find(e.tok.hit[w.rng.IntN(e.rows)])
		if err == nil && !found {
			err = fmt.Errorf("a live session was not found")
		}
		return err
	}},
	{name: "Find miss", big: true, op: func(e *cellEnv, w *worker) error {
		_, found, err := e.im.store.Find(e.tok.miss[w.rng.IntN(len(e.tok.miss))])
		if err == nil && found {
			err = fmt.Errorf("a missing session was found")
		}
		return err
	}},
	{name: "Commit update", big: true, op: func(e *cellEnv, w *worker) error {
		// A changed session: other bytes than the row holds (SQLite does
		// not write a page whose bytes would not change, so rewriting the
		// seeded bytes would measure nothing).
		return e.im.store.Commit(e.tok.hit[w.rng.IntN(e.rows)], e.variants[w.rng.IntN(len(e.variants))], e.expiry)
	}},
	{name: "Commit new", op: func(e *cellEnv, w *worker) error {
		// A login: a new session of one of many users.
		i := int(e.cur.committed.Add(1) - 1)
		return e.im.store.Commit(e.tok.fresh[i%len(e.tok.fresh)], e.logins[i%len(e.logins)], e.expiry)
	}},
	{name: "Delete", op: func(e *cellEnv, w *worker) error {
		// A logout: the session exists, written by the refill before the
		// round; every Delete removes a row.
		i := e.doomed.next.Add(1) - 1
		if i >= e.doomed.end {
			return errDoomedRanOut
		}
		return e.im.store.Delete(e.tok.fresh[i%int64(len(e.tok.fresh))])
	}, prepare: func(e *cellEnv) error {
		e.doomed.reset(e.cur.committed.Load())
		return nil
	}, refill: refillDoomed},
	{name: "RenewToken", op: func(e *cellEnv, w *worker) error {
		// What scs does at login and logout: Delete the session under its
		// old token (here: the one this worker created last, so that every
		// Delete removes a row) and Commit it under a new one.
		if w.last != "" {
			if err := e.im.store.Delete(w.last); err != nil {
				return err
			}
		}
		i := int(e.cur.committed.Add(1) - 1)
		w.last = e.tok.fresh[i%len(e.tok.fresh)]
		return e.im.store.Commit(w.last, e.logins[i%len(e.logins)], e.expiry)
	}},
	{name: "IdleTimeout request", op: func(e *cellEnv, w *worker) error {
		return idleRequest(e, e.tok.hit[w.rng.IntN(min(e.rows, activeSessions))], w)
	}, prepare: func(e *cellEnv) error {
		// Every active user has made a request in the last minute: the
		// steady state of a busy app, rather than a cold start in which
		// each session's first request must write.
		w := &worker{rng: rand.New(rand.NewPCG(1, 2))}
		for _, tok := range e.tok.hit[:min(e.rows, activeSessions)] {
			if err := idleRequest(e, tok, w); err != nil {
				return err
			}
		}
		return nil
	}},
	{name: "LoadAndSave request", op: func(e *cellEnv, w *worker) error {
		return serve(e.http, e.tok.hit[w.rng.IntN(e.rows)], w)
	}},
}

// idleRequest is what scs does for a request when IdleTimeout is set: Find
// the session, then Commit the same values, re-encoded (gob writes the map
// in a random order, so the bytes differ from what was read), with the
// expiry pushed to IdleTimeout from now.
func idleRequest(e *cellEnv, token string, w *worker) error {
	if _, found, err := e.im.store.Find(token); err != nil || !found {
		return fmt.Errorf("find: %v %v", found, err)
	}
	return e.im.store.Commit(token, e.variants[w.rng.IntN(len(e.variants))], time.Now().Add(idleTimeout))
}

// idleTimeout is the scs IdleTimeout the IdleTimeout workload models.
const idleTimeout = 30 * time.Minute

// serve runs one request carrying token's session cookie through h.
func serve(h http.Handler, token string, w *worker) error {
	if w.req == nil {
		w.req = httptest.NewRequest(http.MethodGet, "/", nil)
	}
	w.req.Header.Set("Cookie", "session="+token)
	w.rec = httptest.NewRecorder()
	h.ServeHTTP(w.rec, w.req)
	if w.rec.Code != http.StatusOK || w.rec.Body.String() != "Ada" {
		return fmt.Errorf("request: %d %q", w.rec.Code, w.rec.Body.String())
	}
	return nil
}

// handler builds the scs request handler over st: LoadAndSave around a
// handler that reads one value from the session.
func handler(st scs.Store) http.Handler {
	sm := scs.New()
	sm.Store = st
	sm.Lifetime = 48 * time.Hour
	return sm.LoadAndSave(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(sm.GetString(r.Context(), "name")))
	}))
}

func workloadNamed(name string) workload {
	for _, w := range workloads {
		if w.name == name {
			return w
		}
	}
	panic("no workload " + name)
}
