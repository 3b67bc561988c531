package postgresstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/sessionsql/sessionsql"
	"github.com/sessionsql/sessionsql/internal/pgtest"
	"github.com/sessionsql/sessionsql/postgresstore"
)

// TestAsyncCommitStaysInItsStatement: AsyncCommit turns synchronous commit
// off for the session write only; the connection, which the app's own
// queries share, keeps its setting.
func TestAsyncCommitStaysInItsStatement(t *testing.T) {
	_, schema := migratedPool(t)
	pool := poolOn(t, schema, func(cfg *pgxpool.Config) {
		cfg.MaxConns = 1 // every statement on the same connection
	})
	s, err := postgresstore.NewWithConfig(pool, postgresstore.Config{Config: sessionsql.Config{CleanupInterval: -1}, AsyncCommit: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	// The test server runs without synchronous commit; the app's connection
	// asks for it.
	if _, err := pool.Exec(ctx, `SET synchronous_commit = on`); err != nil {
		t.Fatal(err)
	}
	if err := s.CommitCtx(ctx, "tok", []byte("x"), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	var setting string
	if err := pool.QueryRow(ctx, `SHOW synchronous_commit`).Scan(&setting); err != nil {
		t.Fatal(err)
	}
	if setting != "on" {
		t.Fatalf("synchronous_commit on the shared connection = %q after an async Commit, want on", setting)
	}
	if b, found, err := s.FindCtx(ctx, "tok"); err != nil || !found || string(b) != "x" {
		t.Fatalf("Find after an async Commit = (%q, %v, %v)", b, found, err)
	}
}

// TestAsyncCommitKeepsDeletesDurable: with AsyncCommit, a Delete still
// waits for its WAL to reach the disk, so a crash right after logout
// cannot bring the session back: the tombstone survives, and the late
// Commit is refused after recovery. The server's WAL writer is slowed so
// that an asynchronous Commit made just before the crash is lost, which
// shows the crash really takes what was not flushed.
func TestAsyncCommitKeepsDeletesDurable(t *testing.T) {
	ctx := context.Background()
	srv, err := pgtest.Start(ctx, pgtest.Options{Durable: true, Settings: []string{"wal_writer_delay=10s", "wal_writer_flush_after=1GB"}})
	if err != nil {
		if pgtest.InCI() {
			t.Fatal(err)
		}
		t.Skipf("skipping: no PostgreSQL to start: %v", err)
	}
	defer srv.Stop()
	open := func() (*pgxpool.Pool, *sessionsql.Store) {
		t.Helper()
		pool, err := pgxpool.New(ctx, srv.URL("postgres"))
		if err != nil {
			t.Fatal(err)
		}
		s, err := postgresstore.NewWithConfig(pool, postgresstore.Config{Config: sessionsql.Config{CleanupInterval: -1}, AsyncCommit: true})
		if err != nil {
			t.Fatal(err)
		}
		return pool, s
	}
	pool, s := open()
	if err := postgresstore.Migrate(ctx, pool); err != nil {
		t.Fatal(err)
	}
	exp := time.Now().Add(time.Hour)
	for _, tok := range []string{"kept", "gone"} {
		if err := s.CommitCtx(ctx, tok, []byte("v"), exp); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DeleteCtx(ctx, "gone"); err != nil {
		t.Fatal(err)
	}
	if err := s.CommitCtx(ctx, "unflushed", []byte("v"), exp); err != nil {
		t.Fatal(err)
	}
	s.Close()
	pool.Close()
	srv.Crash()
	if err := srv.Restart(ctx); err != nil {
		t.Fatal(err)
	}

	pool, s = open()
	defer pool.Close()
	defer s.Close()
	if _, found, err := s.FindCtx(ctx, "unflushed"); err != nil || found {
		t.Fatalf("the asynchronous Commit made just before the crash: found %v, %v; want it lost, or this test shows nothing", found, err)
	}
	if _, found, err := s.FindCtx(ctx, "kept"); err != nil || !found {
		t.Fatalf("a session committed before the Delete: found %v, %v; the Delete's flush should have kept it", found, err)
	}
	if err := s.CommitCtx(ctx, "gone", []byte("v"), exp); err != nil {
		t.Fatal(err)
	}
	if _, found, err := s.FindCtx(ctx, "gone"); err != nil || found {
		t.Fatalf("the deleted session after a crash and a late Commit: found %v, %v; want not found", found, err)
	}
	if st := s.Stats(); st.Refused != 1 {
		t.Fatalf("the late Commit after the crash: %d refused, want 1", st.Refused)
	}
}
