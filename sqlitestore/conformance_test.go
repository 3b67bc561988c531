package sqlitestore_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/sessionsql/sessionsql"
	"github.com/sessionsql/sessionsql/sqlitestore"
	"github.com/sessionsql/sessionsql/store/storetest"
)

// The ways to build a store the suites run on: a file from Open (group
// commit), ":memory:", and the caller's own *sql.DB (writes one by one).
var builds = map[string]storetest.NewStoreFunc{
	"Open": func(t testing.TB, cfg sessionsql.Config) *sessionsql.Store {
		s, err := sqlitestore.Open(filepath.Join(t.TempDir(), "sessions.db"), sqlitestore.Config{Config: cfg})
		if err != nil {
			t.Fatal(err)
		}
		return s
	},
	"Memory": func(t testing.TB, cfg sessionsql.Config) *sessionsql.Store {
		s, err := sqlitestore.Open(":memory:", sqlitestore.Config{Config: cfg})
		if err != nil {
			t.Fatal(err)
		}
		return s
	},
	"OwnDB": func(t testing.TB, cfg sessionsql.Config) *sessionsql.Store {
		s, err := sqlitestore.NewWithConfig(openMigrated(t, filepath.Join(t.TempDir(), "app.db")), sqlitestore.Config{Config: cfg})
		if err != nil {
			t.Fatal(err)
		}
		return s
	},
}

func TestConformanceOpen(t *testing.T)   { storetest.Run(t, builds["Open"]) }
func TestConformanceMemory(t *testing.T) { storetest.Run(t, builds["Memory"]) }
func TestConformanceOwnDB(t *testing.T)  { storetest.Run(t, builds["OwnDB"]) }

// openMigrated opens path the way the README tells users to (WAL and a busy
// timeout), applies the migrations and closes the handle when t ends.
func openMigrated(t testing.TB, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := sqlitestore.Migrate(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	return db
}

// TestConformanceOwner runs the owner index suite on a file from Open
// (group commit) and on the caller's own *sql.DB (writes one by one).
func TestConformanceOwner(t *testing.T) {
	t.Run("Open", func(t *testing.T) { storetest.RunOwner(t, builds["Open"]) })
	t.Run("OwnDB", func(t *testing.T) { storetest.RunOwner(t, builds["OwnDB"]) })
}
