package postgresstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/sessionsql/sessionsql"
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
