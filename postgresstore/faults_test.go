package postgresstore_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
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
	cfg, err := pgxpool.ParseConfig(pgtest.URL(t, schema))
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.RuntimeParams["application_name"] = "sessionsql-faults"
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	s, err := postgresstore.NewWithConfig(pool, postgresstore.Config{CleanupInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var ok, failed, late atomic.Int64
	for g := range 8 {
		wg.Go(func() {
			tok := "worker-" + string(rune('a'+g))
			for ctx.Err() == nil {
				opCtx, cancel := context.WithTimeout(ctx, 2*time.Second)
				start := time.Now()
				err := s.CommitCtx(opCtx, tok, []byte("x"), time.Now().Add(time.Hour))
				if err == nil {
					_, _, err = s.FindCtx(opCtx, tok)
				}
				cancel()
				if time.Since(start) > 4*time.Second { // a hang guard: twice the deadline
					late.Add(1)
				}
				if err != nil {
					failed.Add(1)
				} else {
					ok.Add(1)
				}
			}
		})
	}
	admin := pgtest.Admin(t)
	for range 5 {
		waitFor(t, func() bool { return ok.Load() > 0 })
		ok.Store(0)
		if _, err := admin.Exec(context.Background(),
			`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'sessionsql-faults'`); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, func() bool { return ok.Load() > 100 }) // traffic flows again
	stop()
	wg.Wait()
	if late.Load() > 0 {
		t.Fatalf("%d operations ran past twice their deadline", late.Load())
	}
	t.Logf("%d operations failed during the terminations", failed.Load())

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
