package postgresstore_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sessionsql/sessionsql"
	"github.com/sessionsql/sessionsql/migrations"
	"github.com/sessionsql/sessionsql/postgresstore"
	"github.com/sessionsql/sessionsql/store/storetest"

	"github.com/jackc/pgx/v5/stdlib"
)

// TestOwnerOnOldSchema: a store with the owner index over a table without
// migration 2 fails its Commits with sessionsql.ErrOldSchema.
func TestOwnerOnOldSchema(t *testing.T) {
	pool, _ := migratedPool(t)
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	if err := migrations.DownTo(context.Background(), db, migrations.Postgres, 1); err != nil {
		t.Fatal(err)
	}
	s, err := postgresstore.NewWithConfig(pool, postgresstore.Config{Config: sessionsql.Config{CleanupInterval: -1, Owner: sessionsql.GobOwner("user_id", "")}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.Commit("tok", []byte("anonymous"), time.Now().Add(time.Hour))
	if !errors.Is(err, sessionsql.ErrOldSchema) || !strings.Contains(err.Error(), "migrations") {
		t.Fatalf("Commit on a version-1 table = %v, want sessionsql.ErrOldSchema telling to migrate", err)
	}
}

// TestOwnerListingUsesTheIndex: with many sessions and many owners, the
// planner answers an owner's listing from the partial owner index.
func TestOwnerListingUsesTheIndex(t *testing.T) {
	pool, _ := migratedPool(t)
	ctx := context.Background()
	if _, err := pool.Exec(ctx, `INSERT INTO sessions (token, data, expiry, owner, created, last_seen)
		SELECT 'tok-' || i, '\x00'::bytea, now() + interval '1 hour',
		       CASE WHEN i % 4 = 0 THEN NULL ELSE 'user-' || (i % 5000) END, now(), now()
		FROM generate_series(1, 50000) AS i`); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `ANALYZE sessions`); err != nil {
		t.Fatal(err)
	}
	rows, err := pool.Query(ctx, "EXPLAIN "+postgresstore.OwnerRowsQuery("sessions"), "user-42", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var plan []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, line)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if text := strings.Join(plan, "\n"); !strings.Contains(text, "sessions_owner_idx") {
		t.Fatalf("the owner listing does not use sessions_owner_idx:\n%s", text)
	}
}

// TestIndexOwners: sessions written before the owner index was on are
// indexed by IndexOwners.
func TestIndexOwners(t *testing.T) {
	storetest.RunIndexOwners(t, func(t testing.TB, plainCfg, ownedCfg sessionsql.Config) (*sessionsql.Store, *sessionsql.Store) {
		pool, _ := migratedPool(t)
		plain, err := postgresstore.NewWithConfig(pool, postgresstore.Config{Config: plainCfg})
		if err != nil {
			t.Fatal(err)
		}
		owned, err := postgresstore.NewWithConfig(pool, postgresstore.Config{Config: ownedCfg})
		if err != nil {
			t.Fatal(err)
		}
		return plain, owned
	})
}
