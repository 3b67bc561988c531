package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/sessionsql/sessionsql"
	"github.com/sessionsql/sessionsql/internal/sqlident"
	"github.com/sessionsql/sessionsql/migrations"
	"github.com/sessionsql/sessionsql/postgresstore"
	"github.com/sessionsql/sessionsql/sqlitestore"

	_ "modernc.org/sqlite"
)

// database is an open target.
type database struct {
	dialect migrations.Dialect
	where   string // for messages: the file, or the server without the password
	db      *sql.DB
	pool    *pgxpool.Pool // PostgreSQL only
	table   sqlident.Name
}

// connectTimeout bounds reaching the database.
const connectTimeout = 10 * time.Second

// sqliteBusyTimeout is how long a command waits for a SQLite file another
// process holds.
const sqliteBusyTimeout = 5 * time.Second

// open opens t's database, which parse has resolved. create allows a
// SQLite file that does not exist yet (for migrate up).
func open(ctx context.Context, t target, create bool) (*database, error) {
	table, err := sqlident.Parse(t.table)
	if err != nil {
		return nil, fmt.Errorf("--table: %w", err) // parse has checked it already
	}
	if t.pg != nil {
		return openPostgres(ctx, t, table)
	}
	return openSQLite(ctx, t.path, table, create)
}

func openPostgres(ctx context.Context, t target, table sqlident.Name) (*database, error) {
	cfg := t.pg.Copy()
	cfg.MaxConns = 4
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", t.where, err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	if err := pool.Ping(pingCtx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("cannot reach %s: %w", t.where, err)
	}
	return &database{dialect: migrations.Postgres, where: t.where, db: stdlib.OpenDBFromPool(pool), pool: pool, table: table}, nil
}

func openSQLite(ctx context.Context, path string, table sqlident.Name, create bool) (*database, error) {
	if _, err := os.Stat(path); err != nil && !create {
		return nil, fmt.Errorf("no SQLite file at %s: create its schema with `sessionsql migrate up --db %s`", path, path)
	}
	dsn := fmt.Sprintf("file:%s?_pragma=busy_timeout(%d)", (&url.URL{Path: path}).EscapedPath(), sqliteBusyTimeout.Milliseconds())
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	d := &database{dialect: migrations.SQLite, where: "SQLite file " + path, db: db, table: table}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, d.explain(openSQLiteError(path, err))
	}
	return d, nil
}

// openSQLiteError says what SQLite's errors for a file it cannot open mean.
func openSQLiteError(path string, err error) error {
	switch msg := err.Error(); {
	case strings.Contains(msg, "file is not a database"):
		return fmt.Errorf("%s is not a SQLite database (another kind of file, or a damaged one): %w", path, err)
	case strings.Contains(msg, "unable to open database file"):
		return fmt.Errorf("cannot open the SQLite file %s: check that its directory exists and that this user may write there: %w", path, err)
	}
	return fmt.Errorf("open the SQLite file %s: %w", path, err)
}

// timeArg is t as the expiry column stores it: a timestamptz on
// PostgreSQL, Unix milliseconds on SQLite.
func (d *database) timeArg(t time.Time) any {
	if d.dialect == migrations.SQLite {
		return t.UnixMilli()
	}
	return t
}

// graceArg is g in the unit the backends' tombstones add to expiry:
// microseconds on PostgreSQL, milliseconds on SQLite.
func (d *database) graceArg(g time.Duration) int64 {
	if d.dialect == migrations.SQLite {
		return g.Milliseconds()
	}
	return g.Microseconds()
}

func (d *database) close() {
	d.db.Close()
	if d.pool != nil {
		d.pool.Close()
	}
}

// store returns a sessionsql store over the database with background
// cleanup off and grace as its DeleteGrace (0: the default); the owner
// methods are on (the CLI never commits, so the OwnerFunc is never
// called).
func (d *database) store(grace time.Duration) (*sessionsql.Store, error) {
	cfg := sessionsql.Config{TableName: d.table.String(), CleanupInterval: -1, DeleteGrace: grace, Owner: sessionsql.GobOwner("user_id", "")}
	if d.pool != nil {
		return postgresstore.NewWithConfig(d.pool, postgresstore.Config{Config: cfg})
	}
	return sqlitestore.NewWithConfig(d.db, sqlitestore.Config{Config: cfg})
}

// explain turns the errors operators meet into what to do about them.
func (d *database) explain(err error) error {
	err = postgresstore.PoolerError(err)
	switch {
	case err == nil:
		return nil
	case (errors.Is(err, sessionsql.ErrNoTable) || noTable(err)) && d.table.String() != sessionsql.DefaultTableName:
		return fmt.Errorf("the table %s does not exist in %s: `sessionsql migrate up` creates only %q (in the first schema of the search_path on PostgreSQL), so create %s with the same columns and indexes, or leave --table out (%w)", d.table, d.where, sessionsql.DefaultTableName, d.table, err)
	case errors.Is(err, sessionsql.ErrNoTable), noTable(err):
		return fmt.Errorf("the table %s does not exist in %s: run `sessionsql migrate up` first (%w)", d.table, d.where, err)
	case errors.Is(err, sessionsql.ErrOldSchema), noColumn(err):
		return fmt.Errorf("the table %s in %s needs the latest migrations: run `sessionsql migrate up` (%w)", d.table, d.where, err)
	case locked(err):
		return fmt.Errorf("%s is locked by another process (waited %v); try again when it is done (%w)", d.where, sqliteBusyTimeout, err)
	}
	return err
}

// noTable recognises a missing table in the errors of the SQL the CLI runs
// itself: PostgreSQL's SQLSTATE 42P01, SQLite's "no such table".
func noTable(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "42P01" || strings.Contains(err.Error(), "no such table")
}

// noColumn recognises a missing column (the owner columns of a table from
// before migration 2): PostgreSQL's SQLSTATE 42703, SQLite's "no such
// column".
func noColumn(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "42703" || strings.Contains(err.Error(), "no such column")
}

// locked recognises SQLite's busy error.
func locked(err error) bool {
	return strings.Contains(err.Error(), "database is locked") || strings.Contains(err.Error(), "SQLITE_BUSY")
}
