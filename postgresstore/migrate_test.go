package postgresstore_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/sessionsql/sessionsql/internal/pgtest"
	"github.com/sessionsql/sessionsql/migrations"
	"github.com/sessionsql/sessionsql/postgresstore"
)

// TestMigrateLeavesThePoolAlone: Migrate works on connections of its own,
// so it succeeds while the app holds the only connection of a pool of one,
// applies every migration, and leaves the pool as it found it.
func TestMigrateLeavesThePoolAlone(t *testing.T) {
	ctx := context.Background()
	schema := pgtest.Schema(t)
	pool := poolOn(t, schema, func(c *pgxpool.Config) { c.MaxConns = 1 })
	held, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := postgresstore.Migrate(ctx, pool); err != nil {
		t.Fatalf("Migrate while the pool's one connection is in use: %v", err)
	}
	if st := pool.Stat(); st.TotalConns() != 1 || st.AcquiredConns() != 1 {
		t.Fatalf("after Migrate the pool holds %d connections, %d acquired; want the app's one", st.TotalConns(), st.AcquiredConns())
	}
	held.Release()
	db := stdlib.OpenDBFromPool(poolOn(t, schema, func(*pgxpool.Config) {}))
	defer db.Close()
	st, err := migrations.List(ctx, db, migrations.Postgres)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range st {
		if !m.Applied {
			t.Fatalf("migration %s not applied by Migrate", m.Name)
		}
	}
	if len(st) < 3 {
		t.Fatalf("%d migrations listed, want at least 3", len(st))
	}
}
