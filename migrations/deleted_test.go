package migrations_test

import (
	"testing"

	"github.com/sessionsql/sessionsql/migrations"
)

// TestDeletedMigrationKeepsSessions: migration 3 adds the deleted column
// to a table that already holds sessions, each of them live (not
// deleted) afterwards; rolling it back removes the column and the deleted
// sessions' tombstones, and keeps every session.
func TestDeletedMigrationKeepsSessions(t *testing.T) {
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			t.Parallel()
			db, _ := tg.open(t)
			if err := migrations.UpTo(ctx(), db, tg.dialect, 2); err != nil {
				t.Fatalf("UpTo(2): %v", err)
			}
			for range 3 {
				probe(t, db, tg.dialect)
			}
			mustUp(t, db, tg.dialect)
			var live int
			if err := db.QueryRowContext(ctx(), `SELECT count(*) FROM sessions WHERE NOT deleted`).Scan(&live); err != nil || live != 3 {
				t.Fatalf("after migration 3: %d sessions not deleted (%v), want all 3", live, err)
			}
			probe(t, db, tg.dialect) // the old three-column insert still works, and makes a live session
			if _, err := db.ExecContext(ctx(), `UPDATE sessions SET deleted = true WHERE token IN (SELECT token FROM sessions LIMIT 1)`); err != nil {
				t.Fatal(err)
			}

			if err := migrations.DownTo(ctx(), db, tg.dialect, 2); err != nil {
				t.Fatalf("DownTo(2): %v", err)
			}
			if _, err := db.ExecContext(ctx(), `SELECT deleted FROM sessions LIMIT 1`); err == nil {
				t.Fatal("rolling migration 3 back left its column")
			}
			if n := countRows(t, db); n != 3 {
				t.Fatalf("after rolling back: %d sessions, want the 3 not deleted", n)
			}
		})
	}
}
