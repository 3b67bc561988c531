package main

import (
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
	values := map[string]any{"user_id": 42, "name": "Ada", "flash": "Saved."}
	filler := max(size-200, 8)
	const keys = 4
	for k := range keys {
		values[fmt.Sprintf("cart_%d", k)] = strings.Repeat(string(rune('a'+k)), filler/keys)
	}
	deadline := time.Now().Add(48 * time.Hour)
	out := make([][]byte, n)
	for i := range out {
		b, err := scs.GobCodec{}.Encode(deadline, values)
		if err != nil {
			panic(err)
		}
		out[i] = b
	}
	return out
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
	fresh []string // for Commit new; Delete then removes them in order
}

func makeTokens(rows, fresh int) *tokens {
	t := &tokens{hit: make([]string, rows), miss: make([]string, 100_000), fresh: make([]string, fresh)}
	for i := range t.hit {
		t.hit[i] = fmt.Sprintf("tok-%d", i)
	}
	for i := range t.miss {
		t.miss[i] = fmt.Sprintf("miss-%d", i)
	}
	for i := range t.fresh {
		t.fresh[i] = fmt.Sprintf("new-%d", i)
	}
	return t
}

// worker is one concurrent caller's state.
type worker struct {
	rng *rand.Rand
	req *http.Request
	rec *httptest.ResponseRecorder
}

// cursor hands out fresh tokens across cells and workers of one impl.
type cursor struct{ committed, deleted atomic.Int64 }

// workload is one kind of operation.
type workload struct {
	name string
	// op runs one operation for w against im.
	op func(env *cellEnv, w *worker) error
	// big says whether it also runs against the 10^6-row tables.
	big bool
	// prepare, if set, runs before the warm-up.
	prepare func(env *cellEnv) error
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
	expiry   time.Time
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
		i := e.cur.committed.Add(1) - 1
		return e.im.store.Commit(e.tok.fresh[int(i)%len(e.tok.fresh)], e.data, e.expiry)
	}},
	{name: "Delete", op: func(e *cellEnv, w *worker) error {
		i := e.cur.deleted.Add(1) - 1
		return e.im.store.Delete(e.tok.fresh[int(i)%len(e.tok.fresh)])
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
