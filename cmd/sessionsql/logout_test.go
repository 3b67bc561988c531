package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/alexedwards/scs/v2"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/sessionsql/sessionsql"
	"github.com/sessionsql/sessionsql/internal/pgtest"
	"github.com/sessionsql/sessionsql/postgresstore"
	"github.com/sessionsql/sessionsql/sqlitestore"
)

// appStore opens db's sessions table as an app does, owner index on,
// until t ends: sqlitestore.Open for a file, postgresstore over a pool of
// its own for a URL.
func appStore(t *testing.T, db string) *sessionsql.Store {
	t.Helper()
	cfg := sessionsql.Config{CleanupInterval: -1, Owner: sessionsql.GobOwner("user_id", "")}
	var st *sessionsql.Store
	var err error
	if strings.HasPrefix(db, "postgres://") {
		var pool *pgxpool.Pool
		if pool, err = pgxpool.New(context.Background(), db); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(pool.Close)
		st, err = postgresstore.NewWithConfig(pool, postgresstore.Config{Config: cfg})
	} else {
		st, err = sqlitestore.Open(db, sqlitestore.Config{Config: cfg})
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// TestRevokeWhileTheAppRuns: a user is logged in to a running app and has
// a slow request in flight when an operator revokes their sessions with
// the command, another process; when the request ends and scs commits the
// session it loaded, the store refuses it, and the user stays logged out.
func TestRevokeWhileTheAppRuns(t *testing.T) {
	for name, newDB := range map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return filepath.Join(t.TempDir(), "sessions.db") },
		"postgres": func(t *testing.T) string { return pgtest.URL(t, pgtest.Schema(t)) },
	} {
		for _, revoke := range [][]string{{"--owner", "42"}, {"--all"}} {
			t.Run(name+" "+strings.Join(revoke, " "), func(t *testing.T) {
				t.Parallel()
				db := newDB(t)
				mustRun(t, "migrate", "up", "--db", db)
				st := appStore(t, db)
				sm := scs.New()
				sm.Store = st
				started, release := make(chan struct{}), make(chan struct{})
				mux := http.NewServeMux()
				mux.HandleFunc("/login", func(w http.ResponseWriter, r *http.Request) {
					if err := sm.RenewToken(r.Context()); err != nil {
						http.Error(w, err.Error(), 500)
						return
					}
					sm.Put(r.Context(), "user_id", int64(42))
				})
				mux.HandleFunc("/whoami", func(w http.ResponseWriter, r *http.Request) {
					fmt.Fprint(w, sm.GetInt64(r.Context(), "user_id"))
				})
				mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
					sm.Put(r.Context(), "upload", "done")
					started <- struct{}{}
					<-release
				})
				srv := httptest.NewServer(sm.LoadAndSave(mux))
				defer srv.Close()
				jar, _ := cookiejar.New(nil)
				browser := &http.Client{Jar: jar}
				get := func(path string) string {
					t.Helper()
					resp, err := browser.Get(srv.URL + path)
					if err != nil {
						t.Fatal(err)
					}
					defer resp.Body.Close()
					body, _ := io.ReadAll(resp.Body)
					if resp.StatusCode != http.StatusOK {
						t.Fatalf("GET %s: %s", path, resp.Status)
					}
					return string(body)
				}

				get("/login")
				if got := get("/whoami"); got != "42" {
					t.Fatalf("after login whoami = %q", got)
				}
				slowDone := make(chan string, 1)
				go func() {
					resp, err := browser.Get(srv.URL + "/slow")
					if err != nil {
						slowDone <- err.Error()
						return
					}
					resp.Body.Close()
					slowDone <- resp.Status
				}()
				<-started
				args := append([]string{"revoke", "--db", db}, revoke...)
				if out := mustRun(t, args...); !strings.Contains(out, "revoked 1 session") && !strings.Contains(out, "1 live session deleted") {
					t.Fatalf("sessionsql %s printed:\n%s", strings.Join(args, " "), out)
				}
				close(release)
				if status := <-slowDone; status != "200 OK" {
					t.Fatalf("the slow request ended %s", status)
				}
				if got := get("/whoami"); got != "0" {
					t.Fatalf("after the revoke and the slow request's end, whoami = %q", got)
				}
				if s := stats(t, db); s.Live != 0 || s.Deleted != 1 {
					t.Fatalf("stats after the revoke: %d live, %d deleted; want 0 and 1", s.Live, s.Deleted)
				}
				if n := st.Stats().Refused; n != 1 {
					t.Fatalf("the app's store refused %d Commits, want 1", n)
				}
			})
		}
	}
}
