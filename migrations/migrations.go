// Package migrations ships sessionsql's schema as goose SQL migrations,
// embedded in the binary, and applies them.
//
// The files under migrations/postgres and migrations/sqlite are plain goose
// files, so the goose CLI runs them too:
//
//	goose -dir migrations/postgres -table sessionsql_db_version postgres "$DSN" up
//	goose -dir migrations/sqlite -table sessionsql_db_version sqlite3 ./sessions.db up
//
// Both paths record their progress in the same version table (VersionTable),
// so they agree on what has been applied and can be mixed.
//
// The migrations create the table "sessions" (sessionsql.DefaultTableName) in the
// current schema: on PostgreSQL the first schema on the connection's
// search_path. To keep sessions in another schema, migrate over a connection
// whose search_path starts with it and set the store's TableName to
// "schema.sessions".
//
// On PostgreSQL every function here takes the migration lock (goose reads
// the version table under it too, for Version and List), so it needs two
// connections of db at once: it refuses a db limited to one, and fails
// after LockWait when db gives no second one (over a pgxpool of one
// connection, say).
package migrations

import (
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sync"

	"github.com/pressly/goose/v3"
)

// VersionTable is the goose version table sessionsql records applied
// migrations in. It is our own, so the application's goose migrations
// (goose_db_version) and ours never mix.
const VersionTable = "sessionsql_db_version"

// Dialect selects the SQL flavour of the migrations.
type Dialect string

// The supported dialects.
const (
	Postgres Dialect = "postgres"
	SQLite   Dialect = "sqlite"
)

//go:embed postgres/*.sql sqlite/*.sql
var files embed.FS

// FS returns the migration files of d, with the files at its root (the same
// files that live in migrations/<dialect> in the source tree). It returns nil
// for an unknown dialect.
func FS(d Dialect) fs.FS {
	if !d.valid() {
		return nil
	}
	sub, err := fs.Sub(files, string(d))
	if err != nil {
		return nil
	}
	return sub
}

func (d Dialect) valid() bool { return d == Postgres || d == SQLite }

func (d Dialect) gooseDialect() goose.Dialect {
	if d == Postgres {
		return goose.DialectPostgres
	}
	return goose.DialectSQLite3
}

// sqliteMu serialises SQLite migrations within one process. PostgreSQL runs
// are serialised across processes by the lock in LockTable instead.
var sqliteMu sync.Mutex

// provider builds a goose provider for d over db. It never closes db.
func provider(db *sql.DB, d Dialect) (*goose.Provider, error) {
	if db == nil {
		return nil, fmt.Errorf("migrations: db is nil")
	}
	if !d.valid() {
		return nil, fmt.Errorf("migrations: unknown dialect %q; use migrations.Postgres or migrations.SQLite", d)
	}
	opts := []goose.ProviderOption{
		goose.WithTableName(VersionTable),
		goose.WithDisableGlobalRegistry(true),
	}
	if d == Postgres {
		l, err := newTableLock()
		if err != nil {
			return nil, fmt.Errorf("migrations: %w", err)
		}
		opts = append(opts, goose.WithLocker(l))
	}
	p, err := goose.NewProvider(d.gooseDialect(), db, FS(d), opts...)
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	return p, nil
}

// run wraps one goose operation: it builds the provider, serialises SQLite
// runs in this process and labels errors. goose's Provider.Close is never
// called, because it would close the caller's db.
func run(db *sql.DB, d Dialect, op string, fn func(*goose.Provider) error) error {
	p, err := provider(db, d)
	if err != nil {
		return err
	}
	if d == SQLite {
		sqliteMu.Lock()
		defer sqliteMu.Unlock()
	}
	if d == Postgres && db.Stats().MaxOpenConnections == 1 { // goose takes the lock for every operation
		return fmt.Errorf("migrations: %s (%s): db allows one open connection (SetMaxOpenConns(1)), and on PostgreSQL every migration operation needs two at once, the migration lock's and its own: use a *sql.DB that allows two or more", op, d)
	}
	if err := fn(p); err != nil {
		var locked *lockError
		if errors.As(err, &locked) {
			err = locked // without goose's "failed to initialize" and its own wrapping
		}
		return fmt.Errorf("migrations: %s (%s): %w", op, d, err)
	}
	return nil
}
