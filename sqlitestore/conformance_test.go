package sqlitestore_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/sessionsql/sessionsql/migrations"
	"github.com/sessionsql/sessionsql/sqlitestore"
	"github.com/sessionsql/sessionsql/store"
	"github.com/sessionsql/sessionsql/store/storetest"
)

// Compile-time proof that the store meets every scs interface.
var _ store.Store = (*sqlitestore.Store)(nil)

func testConfig(t *testing.T) sqlitestore.Config {
	return sqlitestore.Config{Now: storetest.ClockFor(t).Now, CleanupInterval: -1}
}

func TestConformanceOpen(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := sqlitestore.Open(filepath.Join(t.TempDir(), "sessions.db"), testConfig(t))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestConformanceMemory(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := sqlitestore.Open(":memory:", testConfig(t))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// TestConformanceOwnDB runs the suite over a *sql.DB the caller opened and
// migrated, the way an app sharing one file with its own tables does.
func TestConformanceOwnDB(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		db := openMigrated(t, filepath.Join(t.TempDir(), "app.db"))
		s, err := sqlitestore.NewWithConfig(db, testConfig(t))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// openMigrated opens path the way the README tells users to (WAL and a busy
// timeout), applies the migrations and closes the handle when t ends.
func openMigrated(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := migrations.Up(context.Background(), db, migrations.SQLite); err != nil {
		t.Fatal(err)
	}
	return db
}

// TestConformanceOwner runs the owner index suite on a file from Open
// (group commit) and on the caller's own *sql.DB (direct writes).
func TestConformanceOwner(t *testing.T) {
	ownerConfig := func(t *testing.T, owner store.OwnerFunc) sqlitestore.Config {
		c := testConfig(t)
		c.Owner = owner
		return c
	}
	t.Run("Open", func(t *testing.T) {
		storetest.RunOwner(t, func(t *testing.T, owner store.OwnerFunc) storetest.OwnerIndexStore {
			s, err := sqlitestore.Open(filepath.Join(t.TempDir(), "sessions.db"), ownerConfig(t, owner))
			if err != nil {
				t.Fatal(err)
			}
			return s
		})
	})
	t.Run("OwnDB", func(t *testing.T) {
		storetest.RunOwner(t, func(t *testing.T, owner store.OwnerFunc) storetest.OwnerIndexStore {
			s, err := sqlitestore.NewWithConfig(openMigrated(t, filepath.Join(t.TempDir(), "app.db")), ownerConfig(t, owner))
			if err != nil {
				t.Fatal(err)
			}
			return s
		})
	})
}
