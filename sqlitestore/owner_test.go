package sqlitestore_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sessionsql/sessionsql"
	"github.com/sessionsql/sessionsql/migrations"
	"github.com/sessionsql/sessionsql/sqlitestore"
	"github.com/sessionsql/sessionsql/store/storetest"
)

// TestOwnerOnOldSchema: a store with the owner index over a table without
// migration 2 fails its Commits with sessionsql.ErrOldSchema.
func TestOwnerOnOldSchema(t *testing.T) {
	db := openMigrated(t, filepath.Join(t.TempDir(), "app.db"))
	if err := migrations.DownTo(context.Background(), db, migrations.SQLite, 1); err != nil {
		t.Fatal(err)
	}
	s, err := sqlitestore.NewWithConfig(db, sqlitestore.Config{Config: sessionsql.Config{CleanupInterval: -1, Owner: sessionsql.GobOwner("user_id", "")}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.Commit("tok", []byte("anonymous"), time.Now().Add(time.Hour))
	if !errors.Is(err, sessionsql.ErrOldSchema) || !strings.Contains(err.Error(), "migrations") {
		t.Fatalf("Commit on a version-1 table = %v, want sessionsql.ErrOldSchema telling to migrate", err)
	}
}

// TestOwnerListingUsesTheIndex: SQLite's plan for an owner's listing
// searches the partial owner index.
func TestOwnerListingUsesTheIndex(t *testing.T) {
	db := openMigrated(t, filepath.Join(t.TempDir(), "app.db"))
	rows, err := db.Query("EXPLAIN QUERY PLAN "+sqlitestore.OwnerRowsQuery("sessions"), "user-42", time.Now().UnixMilli())
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if text := strings.Join(plan, "\n"); !strings.Contains(text, "USING INDEX sessions_owner_idx (owner=?)") {
		t.Fatalf("the owner listing does not search sessions_owner_idx:\n%s", text)
	}
}

// TestIndexOwners: sessions written before the owner index was on are
// indexed by IndexOwners.
func TestIndexOwners(t *testing.T) {
	storetest.RunIndexOwners(t, func(t testing.TB, plainCfg, ownedCfg sessionsql.Config) (*sessionsql.Store, *sessionsql.Store) {
		db := openMigrated(t, filepath.Join(t.TempDir(), "app.db"))
		plain, err := sqlitestore.NewWithConfig(db, sqlitestore.Config{Config: plainCfg})
		if err != nil {
			t.Fatal(err)
		}
		owned, err := sqlitestore.NewWithConfig(db, sqlitestore.Config{Config: ownedCfg})
		if err != nil {
			t.Fatal(err)
		}
		return plain, owned
	})
}
