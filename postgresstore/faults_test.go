package postgresstore_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/sessionsql/sessionsql"
	"github.com/sessionsql/sessionsql/internal/pgtest"
	"github.com/sessionsql/sessionsql/postgresstore"
)

// TestBackendsTerminated: every connection of the store's pool is killed
// on the server (pg_terminate_backend) several times while 8 goroutines
// find and commit. Operations caught in it fail with errors, never panics
// or hangs past their deadline; afterwards the store and its Reaper work
// again with no restart of anything.
func TestBackendsTerminated(t *testing.T) {
	_, schema := migratedPool(t)
	pool := poolOn(t, schema, func(cfg *pgxpool.Config) {
		cfg.ConnConfig.RuntimeParams["application_name"] = "sessionsql-faults"
	})
	s, err := postgresstore.NewWithConfig(pool, postgresstore.Config{Config: sessionsql.Config{CleanupInterval: -1}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	l := startLoad(s)
	admin := pgtest.Admin(t)
	for range 5 {
		waitFor(t, func() bool { return l.ok.Load() > 0 })
		l.ok.Store(0)
		if _, err := admin.Exec(context.Background(),
			`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'sessionsql-faults'`); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, func() bool { return l.ok.Load() > 100 }) // traffic flows again
	l.stop(t)
	noLeakedConns(t, pool)

	if err := s.Commit("after", []byte("y"), time.Now().Add(-time.Minute)); err != nil {
		t.Fatalf("Commit after the terminations: %v", err)
	}
	if _, err := pool.Exec(context.Background(), `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'sessionsql-faults' AND pid <> pg_backend_pid()`); err != nil {
		t.Fatal(err)
	}
	st, err := s.Reaper().RunOnce(context.Background())
	for i := 0; err != nil && i < 3; i++ { // a run may meet a connection killed under it
		st, err = s.Reaper().RunOnce(context.Background())
	}
	if err != nil || st.Deleted != 1 {
		t.Fatalf("Reaper after the terminations: %+v, %v", st, err)
	}
}

// load is 8 goroutines finding and committing on a store until stopped,
// counting what succeeded, what failed, and what ran past twice its 2 s
// deadline.
type load struct {
	ok, failed, late atomic.Int64
	cancel           context.CancelFunc
	wg               sync.WaitGroup
}

func startLoad(s *sessionsql.Store) *load {
	l := &load{}
	ctx, cancel := context.WithCancel(context.Background())
	l.cancel = cancel
	for g := range 8 {
		l.wg.Go(func() {
			tok := "worker-" + string(rune('a'+g))
			for ctx.Err() == nil {
				opCtx, cancel := context.WithTimeout(ctx, 2*time.Second)
				start := time.Now()
				err := s.CommitCtx(opCtx, tok, []byte("x"), time.Now().Add(time.Hour))
				if err == nil {
					_, _, err = s.FindCtx(opCtx, tok)
				}
				cancel()
				if time.Since(start) > 4*time.Second {
					l.late.Add(1)
				}
				if err != nil {
					l.failed.Add(1)
				} else {
					l.ok.Add(1)
				}
			}
		})
	}
	return l
}

// stop ends the load and fails t if an operation hung past its deadline.
func (l *load) stop(t *testing.T) {
	t.Helper()
	l.cancel()
	l.wg.Wait()
	if n := l.late.Load(); n > 0 {
		t.Fatalf("%d operations ran past twice their deadline", n)
	}
	t.Logf("%d operations failed during the faults", l.failed.Load())
}

// TestServerRestart: the PostgreSQL server restarts (fast shutdown, every
// connection dropped, connections refused until it is back) while 8
// goroutines find and commit. Operations during the outage fail with
// errors, never panics or hangs; afterwards the same store and its Reaper
// work again, and sessions written before the restart are still there.
func TestServerRestart(t *testing.T) {
	ctx := context.Background()
	srv, err := pgtest.Start(ctx, pgtest.Options{})
	if err != nil {
		if pgtest.InCI() {
			t.Fatal(err)
		}
		t.Skipf("skipping: no PostgreSQL to start: %v", err)
	}
	defer srv.Stop()
	pool, err := pgxpool.New(ctx, srv.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if err := postgresstore.Migrate(ctx, pool); err != nil {
		t.Fatal(err)
	}
	s, err := postgresstore.NewWithConfig(pool, postgresstore.Config{Config: sessionsql.Config{CleanupInterval: -1}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Commit("before", []byte("kept"), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}

	l := startLoad(s)
	waitFor(t, func() bool { return l.ok.Load() > 0 })
	if err := srv.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	l.ok.Store(0)
	waitFor(t, func() bool { return l.ok.Load() > 100 }) // traffic flows again
	l.stop(t)
	noLeakedConns(t, pool)

	if data, found, err := s.Find("before"); err != nil || !found || string(data) != "kept" {
		t.Fatalf("a session from before the restart: %q, %v, %v", data, found, err)
	}
	if err := s.Commit("expired", []byte("y"), time.Now().Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	if st, err := s.Reaper().RunOnce(ctx); err != nil || st.Deleted != 1 {
		t.Fatalf("Reaper after the restart: %+v, %v", st, err)
	}
}

// noLeakedConns fails t if a connection stays checked out of pool once the
// load has stopped. pgxpool destroys broken connections in the background,
// so it gets until waitFor's deadline to settle.
func noLeakedConns(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	waitFor(t, func() bool { return pool.Stat().AcquiredConns() == 0 })
	if st := pool.Stat(); st.TotalConns() > st.MaxConns() {
		t.Fatalf("the pool holds %d connections, more than its %d", st.TotalConns(), st.MaxConns())
	}
}

// waitFor polls cond until it holds, failing the test after 30 s.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal(errors.New("condition not reached in 30s"))
		}
		time.Sleep(5 * time.Millisecond)
	}
}
