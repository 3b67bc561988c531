package sessionsql_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/sessionsql/sessionsql"
	"github.com/sessionsql/sessionsql/internal/pgtest"
	"github.com/sessionsql/sessionsql/postgresstore"
	"github.com/sessionsql/sessionsql/sqlitestore"
	"github.com/sessionsql/sessionsql/store/storetest"
)

// sharedBackend opens two stores over one fresh, migrated table: two
// instances of an app sharing a database.
type sharedBackend struct {
	name string
	open func(t *testing.T, clock *storetest.Clock, o options) (a, b *sessionsql.Store)
}

var sharedBackends = []sharedBackend{
	{"sqlite, two stores on one file", func(t *testing.T, clock *storetest.Clock, o options) (*sessionsql.Store, *sessionsql.Store) {
		path := filepath.Join(t.TempDir(), "sessions.db")
		cfg := sqlitestore.Config{Config: sessionsql.Config{Now: clock.Now, CleanupInterval: -1, TouchThreshold: o.touch, Owner: o.owner}}
		a, err := sqlitestore.Open(path, cfg)
		if err != nil {
			t.Fatal(err)
		}
		b, err := sqlitestore.Open(path, cfg)
		if err != nil {
			t.Fatal(err)
		}
		return a, b
	}},
	{"postgres, two pools on one table", func(t *testing.T, clock *storetest.Clock, o options) (*sessionsql.Store, *sessionsql.Store) {
		first, schema := pgtest.PoolAndSchema(t)
		if err := postgresstore.Migrate(context.Background(), first); err != nil {
			t.Fatal(err)
		}
		cfg := postgresstore.Config{Config: sessionsql.Config{Now: clock.Now, CleanupInterval: -1, TouchThreshold: o.touch, Owner: o.owner}}
		a, err := postgresstore.NewWithConfig(first, cfg)
		if err != nil {
			t.Fatal(err)
		}
		b, err := postgresstore.NewWithConfig(pgtest.PoolFor(t, schema), cfg)
		if err != nil {
			t.Fatal(err)
		}
		return a, b
	}},
}

func forEachSharedBackend(t *testing.T, fn func(t *testing.T, b sharedBackend)) {
	for _, b := range sharedBackends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			fn(t, b)
		})
	}
}

// slowRequest is a request in flight: its handler has loaded the session
// and waits for release before it returns, when scs commits the session.
type slowRequest struct {
	started chan struct{}
	release chan struct{}
}

// logoutRoutes adds /login (a new token, then the user), /whoami, /slow
// (the session loaded, changed unless idle, held until released) and
// /logout: Destroy, or with renew, RenewToken and the user removed.
func logoutRoutes(slow *slowRequest, idle, renew bool) func(*http.ServeMux, *scs.SessionManager, *sessionsql.Store) {
	return func(mux *http.ServeMux, sm *scs.SessionManager, _ *sessionsql.Store) {
		mux.HandleFunc("/login", func(w http.ResponseWriter, r *http.Request) {
			if err := sm.RenewToken(r.Context()); err != nil {
				http.Error(w, err.Error(), 500)
				return
			}
			sm.Put(r.Context(), "user", "alice")
		})
		mux.HandleFunc("/whoami", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, sm.GetString(r.Context(), "user"))
		})
		mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
			if !idle {
				sm.Put(r.Context(), "upload", "done")
			}
			slow.started <- struct{}{}
			<-slow.release
		})
		mux.HandleFunc("/logout", func(w http.ResponseWriter, r *http.Request) {
			var err error
			if renew {
				if err = sm.RenewToken(r.Context()); err == nil {
					sm.Remove(r.Context(), "user")
				}
			} else {
				err = sm.Destroy(r.Context())
			}
			if err != nil {
				http.Error(w, err.Error(), 500)
			}
		})
	}
}

// TestLogoutIsFinal: log in; start a slow request in one tab; log out in
// another, on the same instance or on another one sharing the database;
// the slow request then ends and scs commits the session it loaded under
// the old token. It ends normally, and neither the browser, which got the
// old cookie back, nor anyone replaying that cookie is logged in.
func TestLogoutIsFinal(t *testing.T) {
	variants := []struct {
		name        string
		sameApp     bool // log out on the instance the slow request runs on
		renew       bool // log out by RenewToken rather than Destroy
		hash        bool // HashTokenInStore
		idleTouched bool // IdleTimeout commits the unchanged session; TouchThreshold may skip it
	}{
		{name: "Destroy on the same instance", sameApp: true},
		{name: "Destroy on another instance"},
		{name: "RenewToken on another instance", renew: true},
		{name: "HashTokenInStore", hash: true},
		{name: "IdleTimeout and TouchThreshold", idleTouched: true},
	}
	forEachSharedBackend(t, func(t *testing.T, sb sharedBackend) {
		for _, v := range variants {
			t.Run(v.name, func(t *testing.T) {
				slow := &slowRequest{started: make(chan struct{}), release: make(chan struct{})}
				o := options{routes: logoutRoutes(slow, v.idleTouched, v.renew)}
				if v.idleTouched {
					o.touch = time.Minute
				}
				configure := func(sm *scs.SessionManager) {
					sm.HashTokenInStore = v.hash
					if v.idleTouched {
						sm.IdleTimeout = time.Hour
					}
				}
				clock := storetest.NewClock(time.Now())
				stA, stB := sb.open(t, clock, o)
				appA := newAppOn(t, stA, clock, o, configure)
				appB := newAppOn(t, stB, clock, o, configure)
				other := appB
				if v.sameApp {
					other = appA
				}

				browser := appA.client()
				browser.get("/login")
				if got := browser.get("/whoami"); got != "alice" {
					t.Fatalf("after login whoami = %q", got)
				}
				old := browser.token()
				key := old
				if v.hash {
					key = hash(old)
				}

				slowDone := make(chan error, 1)
				go func() {
					resp, err := browser.http.Get(appA.srv.URL + "/slow")
					if err == nil {
						resp.Body.Close()
						if resp.StatusCode != http.StatusOK {
							err = fmt.Errorf("the slow request ended %s", resp.Status)
						}
					}
					slowDone <- err
				}()
				<-slow.started
				(&client{a: other, http: browser.http}).get("/logout")
				close(slow.release)
				if err := <-slowDone; err != nil {
					t.Fatal(err)
				}

				for _, a := range []*app{appA, appB} {
					if got := (&client{a: a, http: browser.http}).get("/whoami"); got != "" {
						t.Fatalf("after logout and the slow request's end, the browser is %q", got)
					}
					if got := replay(t, a, old).get("/whoami"); got != "" {
						t.Fatalf("the old cookie, replayed, is %q", got)
					}
					if a.stored(key) {
						t.Fatal("the logged-out session is in the store")
					}
				}
				st := appA.store.Stats()
				if v.idleTouched {
					if st.Refused+st.TouchSkips == 0 {
						t.Fatalf("the slow request's Commit was neither refused nor skipped: %+v", st)
					}
				} else if st.Refused != 1 {
					t.Fatalf("the slow request's Commit: Stats counts %d refused, want 1", st.Refused)
				}
			})
		}
	})
}

// replay is a client that sends token as its session cookie.
func replay(t *testing.T, a *app, token string) *client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	u, err := url.Parse(a.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	jar.SetCookies(u, []*http.Cookie{{Name: a.sm.Cookie.Name, Value: token, Path: "/"}})
	return &client{a: a, http: &http.Client{Jar: jar}}
}

// TestCommitRacingDeleteAcrossStores: one instance commits a session
// while another deletes it, both at once, for hundreds of sessions: none
// is left alive, whichever ran first.
func TestCommitRacingDeleteAcrossStores(t *testing.T) {
	forEachSharedBackend(t, func(t *testing.T, sb sharedBackend) {
		clock := storetest.NewClock(time.Now())
		a, b := sb.open(t, clock, options{})
		t.Cleanup(func() { _ = a.Close(); _ = b.Close() })
		ctx := context.Background()
		expiry := time.Now().Add(time.Hour)
		for round := range 8 {
			tokens := make([]string, 32)
			for i := range tokens {
				tokens[i] = fmt.Sprintf("race-%d-%d", round, i)
				if err := a.CommitCtx(ctx, tokens[i], []byte("v1"), expiry); err != nil {
					t.Fatal(err)
				}
			}
			start := make(chan struct{})
			errs := make(chan error, 2*len(tokens))
			var wg sync.WaitGroup
			for _, tok := range tokens {
				wg.Add(2)
				go func() {
					defer wg.Done()
					<-start
					errs <- a.CommitCtx(ctx, tok, []byte("v2"), expiry)
				}()
				go func() {
					defer wg.Done()
					<-start
					errs <- b.DeleteCtx(ctx, tok)
				}()
			}
			close(start)
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			for _, tok := range tokens {
				for _, st := range []*sessionsql.Store{a, b} {
					if _, found, err := st.FindCtx(ctx, tok); err != nil || found {
						t.Fatalf("round %d: %s after a Commit raced its Delete: found %v, %v", round, tok, found, err)
					}
				}
			}
		}
		if st := a.Stats(); st.Writes+st.Refused != st.Commits {
			t.Fatalf("Stats: %d writes and %d refused of %d commits", st.Writes, st.Refused, st.Commits)
		}
	})
}
