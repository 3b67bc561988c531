package migrations_test

import (
	"context"
	"database/sql"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/stdlib"
	"github.com/sessionsql/sessionsql/internal/pgtest"
	"github.com/sessionsql/sessionsql/migrations"

	_ "modernc.org/sqlite"
)

// target is one empty database of one dialect.
type target struct {
	name    string
	dialect migrations.Dialect
	open    func(t *testing.T) (*sql.DB, string) // db and a DSN for the goose CLI
}

var targets = []target{
	{"postgres", migrations.Postgres, openPostgres},
	{"sqlite", migrations.SQLite, openSQLite},
}

// openPostgres returns a *sql.DB over a fresh schema, the way an app with a
// pgxpool would get one (stdlib.OpenDBFromPool).
func openPostgres(t *testing.T) (*sql.DB, string) {
	pool, schema := pgtest.PoolAndSchema(t)
	db := stdlib.OpenDBFromPool(pool)
	t.Cleanup(func() { db.Close() })
	return db, pgtest.URL(t, schema)
}

func openSQLite(t *testing.T) (*sql.DB, string) {
	path := filepath.Join(t.TempDir(), "sessions.db")
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, path
}

func ctx() context.Context { return context.Background() }

func mustUp(t *testing.T, db *sql.DB, d migrations.Dialect) {
	t.Helper()
	if err := migrations.Up(ctx(), db, d); err != nil {
		t.Fatalf("Up: %v", err)
	}
}

func version(t *testing.T, db *sql.DB, d migrations.Dialect) int64 {
	t.Helper()
	v, err := migrations.Version(ctx(), db, d)
	if err != nil {
		t.Fatalf("Version: %v", err)
	}
	return v
}

// latest is the version of the newest migration file of d.
func latest(t *testing.T, d migrations.Dialect) int64 {
	t.Helper()
	names, err := fs.Glob(migrations.FS(d), "*.sql")
	if err != nil || len(names) == 0 {
		t.Fatalf("no migration files for %s: %v", d, err)
	}
	prefix, _, _ := strings.Cut(names[len(names)-1], "_")
	v, err := strconv.ParseInt(prefix, 10, 64)
	if err != nil {
		t.Fatalf("migration file %s has no version prefix", names[len(names)-1])
	}
	return v
}
