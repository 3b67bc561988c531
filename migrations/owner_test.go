package migrations_test

import (
	"database/sql"
	"testing"

	"github.com/sessionsql/sessionsql/migrations"
)

// countRows is how many sessions the table holds.
func countRows(t *testing.T, db *sql.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(ctx(), `SELECT count(*) FROM sessions`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// hasOwnerColumns reports whether the owner index's columns exist.
func hasOwnerColumns(db *sql.DB) bool {
	_, err := db.ExecContext(ctx(), `SELECT owner, device, created, last_seen FROM sessions LIMIT 1`)
	return err == nil
}

// ownerIndexExists reports whether the partial owner index exists.
func ownerIndexExists(t *testing.T, db *sql.DB, d migrations.Dialect) bool {
	t.Helper()
	q := `SELECT count(*) FROM pg_indexes WHERE indexname = 'sessions_owner_idx' AND schemaname = current_schema()`
	if d == migrations.SQLite {
		q = `SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'sessions_owner_idx'`
	}
	var n int
	if err := db.QueryRowContext(ctx(), q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n == 1
}

// TestOwnerMigrationKeepsRows: migration 2 adds the owner columns and
// index to a table that already holds sessions without touching them, and
// rolling it back removes them, again keeping every session.
func TestOwnerMigrationKeepsRows(t *testing.T) {
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			t.Parallel()
			db, _ := tg.open(t)
			if err := migrations.UpTo(ctx(), db, tg.dialect, 1); err != nil {
				t.Fatalf("UpTo(1): %v", err)
			}
			for range 3 {
				probe(t, db, tg.dialect)
			}
			if hasOwnerColumns(db) {
				t.Fatal("owner columns exist at version 1")
			}

			mustUp(t, db, tg.dialect)
			if !hasOwnerColumns(db) || !ownerIndexExists(t, db, tg.dialect) {
				t.Fatal("migration 2 did not add the owner columns and index")
			}
			if n := countRows(t, db); n != 3 {
				t.Fatalf("after migration 2: %d sessions, want 3", n)
			}
			var anonymous int
			if err := db.QueryRowContext(ctx(), `SELECT count(*) FROM sessions WHERE owner IS NULL AND created IS NULL`).Scan(&anonymous); err != nil || anonymous != 3 {
				t.Fatalf("existing rows: %d anonymous (%v), want 3", anonymous, err)
			}
			probe(t, db, tg.dialect) // the old three-column insert still works

			if err := migrations.DownTo(ctx(), db, tg.dialect, 1); err != nil {
				t.Fatalf("DownTo(1): %v", err)
			}
			if hasOwnerColumns(db) || ownerIndexExists(t, db, tg.dialect) {
				t.Fatal("rolling migration 2 back left its columns or index")
			}
			if n := countRows(t, db); n != 4 {
				t.Fatalf("after rolling back: %d sessions, want 4", n)
			}
		})
	}
}
