package sessionsql_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/sessionsql/sessionsql"
	"github.com/sessionsql/sessionsql/internal/pgtest"
	"github.com/sessionsql/sessionsql/postgresstore"
	"github.com/sessionsql/sessionsql/sqlitestore"
	"github.com/sessionsql/sessionsql/store/storetest"
)

// backend opens a fresh, migrated store whose clock starts at the real
// time (scs stamps expiries with time.Now) and moves only when told.
type backend struct {
	name string
	open func(t *testing.T, clock *storetest.Clock, o options) *sessionsql.Store
}

// options are the Config fields the end-to-end tests vary.
type options struct {
	touch  time.Duration
	owner  sessionsql.OwnerFunc
	routes func(*http.ServeMux, *scs.SessionManager, *sessionsql.Store) // more handlers
}

var backends = []backend{
	{"sqlite", func(t *testing.T, clock *storetest.Clock, o options) *sessionsql.Store {
		s, err := sqlitestore.Open(filepath.Join(t.TempDir(), "sessions.db"), sqlitestore.Config{Config: sessionsql.Config{Now: clock.Now, CleanupInterval: -1, TouchThreshold: o.touch, Owner: o.owner}})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}},
	{"postgres", func(t *testing.T, clock *storetest.Clock, o options) *sessionsql.Store {
		pool := pgtest.Pool(t)
		if err := postgresstore.Migrate(context.Background(), pool); err != nil {
			t.Fatal(err)
		}
		s, err := postgresstore.NewWithConfig(pool, postgresstore.Config{Config: sessionsql.Config{Now: clock.Now, CleanupInterval: -1, TouchThreshold: o.touch, Owner: o.owner}})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}},
	// PostgreSQL behind PgBouncer in transaction pooling, with the exec
	// mode that needs no prepared statement to last. PgBouncer forwards no
	// search_path: the table is named with its schema.
	{"pgbouncer", func(t *testing.T, clock *storetest.Clock, o options) *sessionsql.Store {
		direct, schema := pgtest.PoolAndSchema(t)
		if err := postgresstore.Migrate(context.Background(), direct); err != nil {
			t.Fatal(err)
		}
		cfg, err := pgxpool.ParseConfig(pgtest.BouncerURL(t, pgtest.Transaction, "postgres", "exec"))
		if err != nil {
			t.Fatal(err)
		}
		pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(pool.Close)
		s, err := postgresstore.NewWithConfig(pool, postgresstore.Config{Config: sessionsql.Config{TableName: schema + ".sessions", Now: clock.Now, CleanupInterval: -1, TouchThreshold: o.touch, Owner: o.owner}})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}},
}

// app is a scs-backed web app under test.
type app struct {
	t     *testing.T
	sm    *scs.SessionManager
	store *sessionsql.Store
	clock *storetest.Clock
	srv   *httptest.Server
}

func newApp(t *testing.T, b backend, configure func(*scs.SessionManager)) *app {
	t.Helper()
	return newAppWith(t, b, options{}, configure)
}

func newAppWith(t *testing.T, b backend, o options, configure func(*scs.SessionManager)) *app {
	t.Helper()
	clock := storetest.NewClock(time.Now())
	return newAppOn(t, b.open(t, clock, o), clock, o, configure)
}

// newAppOn is newAppWith over a store already open, on clock; it closes
// the store when t ends.
func newAppOn(t *testing.T, st *sessionsql.Store, clock *storetest.Clock, o options, configure func(*scs.SessionManager)) *app {
	t.Helper()
	t.Cleanup(func() { _ = st.Close() })
	sm := scs.New()
	sm.Store = st
	if configure != nil {
		configure(sm)
	}
	a := &app{t: t, sm: sm, store: st, clock: clock}
	mux := http.NewServeMux()
	mux.HandleFunc("/put", func(w http.ResponseWriter, r *http.Request) {
		sm.Put(r.Context(), "value", r.URL.Query().Get("v"))
	})
	mux.HandleFunc("/get", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, sm.GetString(r.Context(), "value"))
	})
	mux.HandleFunc("/renew", func(w http.ResponseWriter, r *http.Request) {
		if err := sm.RenewToken(r.Context()); err != nil {
			http.Error(w, err.Error(), 500)
		}
	})
	mux.HandleFunc("/destroy", func(w http.ResponseWriter, r *http.Request) {
		if err := sm.Destroy(r.Context()); err != nil {
			http.Error(w, err.Error(), 500)
		}
	})
	if o.routes != nil {
		o.routes(mux, sm, st)
	}
	a.srv = httptest.NewServer(sm.LoadAndSave(mux))
	t.Cleanup(a.srv.Close)
	return a
}

// client is one browser with its own cookie jar.
type client struct {
	a    *app
	http *http.Client
}

func (a *app) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{a: a, http: &http.Client{Jar: jar}}
}

func (c *client) get(path string) string {
	c.a.t.Helper()
	resp, err := c.http.Get(c.a.srv.URL + path)
	if err != nil {
		c.a.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		c.a.t.Fatalf("GET %s: %s: %s", path, resp.Status, body)
	}
	return string(body)
}

// token is the session cookie the client holds ("" when none).
func (c *client) token() string {
	u, _ := url.Parse(c.a.srv.URL)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == c.a.sm.Cookie.Name {
			return ck.Value
		}
	}
	return ""
}

func (a *app) stored(key string) bool {
	a.t.Helper()
	_, found, err := a.store.FindCtx(context.Background(), key)
	if err != nil {
		a.t.Fatal(err)
	}
	return found
}

func (a *app) count() int {
	a.t.Helper()
	m, err := a.store.AllCtx(context.Background())
	if err != nil {
		a.t.Fatal(err)
	}
	return len(m)
}

func forEachBackend(t *testing.T, fn func(t *testing.T, b backend)) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			fn(t, b)
		})
	}
}

func TestSCSPutGetAcrossRequests(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		a := newApp(t, b, nil)
		c := a.client()
		c.get("/put?v=hello")
		if got := c.get("/get"); got != "hello" {
			t.Fatalf("value across requests = %q, want hello", got)
		}
		if !a.stored(c.token()) || a.count() != 1 {
			t.Fatalf("store holds %d sessions, want the client's one", a.count())
		}
		other := a.client()
		if got := other.get("/get"); got != "" {
			t.Fatalf("a second client sees %q, want its own empty session", got)
		}
	})
}

func TestSCSRenewToken(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		a := newApp(t, b, nil)
		c := a.client()
		c.get("/put?v=kept")
		old := c.token()
		c.get("/renew")
		renewed := c.token()
		if renewed == "" || renewed == old {
			t.Fatalf("RenewToken did not issue a new token")
		}
		if a.stored(old) {
			t.Fatal("the old token still finds a session after RenewToken")
		}
		if !a.stored(renewed) || a.count() != 1 {
			t.Fatalf("after RenewToken the store holds %d sessions, want only the renewed one", a.count())
		}
		if got := c.get("/get"); got != "kept" {
			t.Fatalf("value after RenewToken = %q, want kept", got)
		}
	})
}

func TestSCSDestroy(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		a := newApp(t, b, nil)
		c := a.client()
		c.get("/put?v=bye")
		tok := c.token()
		c.get("/destroy")
		if a.stored(tok) || a.count() != 0 {
			t.Fatalf("after Destroy the store holds %d sessions", a.count())
		}
		if got := c.get("/get"); got != "" {
			t.Fatalf("value after Destroy = %q, want empty", got)
		}
	})
}

// TestSCSIterate walks every session with scs's Iterate and destroys some
// of them from inside the callback, as an admin "log this user out" would.
func TestSCSIterate(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		a := newApp(t, b, nil)
		clients := map[string]*client{}
		for _, user := range []string{"ann", "bob", "bob", "cat"} {
			c := a.client()
			c.get("/put?v=" + user)
			clients[user+c.token()] = c
		}
		seen := map[string]int{}
		err := a.sm.Iterate(context.Background(), func(ctx context.Context) error {
			user := a.sm.GetString(ctx, "value")
			seen[user]++
			if user == "bob" {
				return a.sm.Destroy(ctx)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("Iterate: %v", err)
		}
		if fmt.Sprint(seen) != "map[ann:1 bob:2 cat:1]" {
			t.Fatalf("Iterate saw %v, want every session once", seen)
		}
		if a.count() != 2 {
			t.Fatalf("store holds %d sessions after destroying bob's two, want 2", a.count())
		}
		for key, c := range clients {
			got := c.get("/get")
			if key[:3] == "bob" && got != "" {
				t.Fatalf("a destroyed session still reads %q", got)
			}
			if key[:3] != "bob" && got != key[:3] {
				t.Fatalf("a kept session reads %q, want %q", got, key[:3])
			}
		}
	})
}

// TestSCSHashTokenInStore: the store only ever sees base64url(sha256(token)).
func TestSCSHashTokenInStore(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		a := newApp(t, b, func(sm *scs.SessionManager) { sm.HashTokenInStore = true })
		c := a.client()
		c.get("/put?v=secret")
		if got := c.get("/get"); got != "secret" {
			t.Fatalf("value with HashTokenInStore = %q, want secret", got)
		}
		tok := c.token()
		if a.stored(tok) {
			t.Fatal("the raw cookie token is a key in the store")
		}
		if !a.stored(hash(tok)) {
			t.Fatal("the hashed token is not a key in the store")
		}
		c.get("/renew")
		if a.stored(hash(tok)) || !a.stored(hash(c.token())) || a.count() != 1 {
			t.Fatal("RenewToken with HashTokenInStore left the old hash or lost the new one")
		}
		c.get("/destroy")
		if a.count() != 0 {
			t.Fatal("Destroy with HashTokenInStore left the session behind")
		}
	})
}

// TestSCSHashTokenInStoreWithoutASession: with HashTokenInStore, a request
// without a session that calls Destroy (a logout without a cookie) has
// scs delete the digest of the empty token; the store writes nothing for
// it, so such requests share no row. (RenewToken of such a request
// deletes nothing.)
func TestSCSHashTokenInStoreWithoutASession(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		a := newApp(t, b, func(sm *scs.SessionManager) { sm.HashTokenInStore = true })
		for _, path := range []string{"/destroy", "/renew", "/destroy"} { // each a new visitor
			a.client().get(path)
		}
		if st := a.store.Stats(); st.Deletes != 0 {
			t.Fatalf("requests without a session made %d deletes, want 0", st.Deletes)
		}
		// Nothing remembers the empty token's digest as deleted: a Commit
		// under it (which scs never makes) is written.
		if err := a.store.CommitCtx(context.Background(), hash(""), []byte("x"), time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if !a.stored(hash("")) {
			t.Fatal("the empty token's digest was written as a tombstone")
		}
	})
}

func hash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// TestSCSIdleTimeout: every request pushes an idle session's expiry
// forward, and an idle session past its timeout is gone. The store's clock
// is moved instead of sleeping.
func TestSCSIdleTimeout(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		const idle = 30 * time.Minute
		a := newApp(t, b, func(sm *scs.SessionManager) {
			sm.IdleTimeout = idle
			sm.Lifetime = 24 * time.Hour
		})
		c := a.client()
		c.get("/put?v=active")
		tok := c.token()

		// Pretend the session has been idle for 29m59s: one second left.
		data, _, _ := a.store.FindCtx(context.Background(), tok)
		if err := a.store.CommitCtx(context.Background(), tok, data, time.Now().Add(time.Second)); err != nil {
			t.Fatal(err)
		}
		// A request now must extend it to a full idle timeout again.
		if got := c.get("/get"); got != "active" {
			t.Fatalf("value before idle expiry = %q", got)
		}
		a.clock.Advance(idle - time.Minute)
		if !a.stored(tok) {
			t.Fatal("the request did not push the idle session's expiry forward")
		}

		// No request for longer than the idle timeout: the session is gone.
		a.clock.Advance(2 * time.Minute)
		if a.stored(tok) {
			t.Fatal("a session idle past IdleTimeout is still found")
		}
	})
}
