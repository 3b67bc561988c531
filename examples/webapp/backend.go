package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/sessionsql/sessionsql"
	"github.com/sessionsql/sessionsql/internal/dsn"
	"github.com/sessionsql/sessionsql/postgresstore"
	"github.com/sessionsql/sessionsql/sqlitestore"
	"github.com/sessionsql/sessionsql/store"
)

// sessionStore is what the app needs of a sessionsql store: scs's
// contract, the owner index ("your sessions", "log out other devices")
// and the counters.
type sessionStore interface {
	store.Store
	store.OwnerStore
	Stats() store.Stats
	Reaper() *sessionsql.Reaper
}

// sessionOwner tells the store whose each session is: the user id the app
// keeps under keyUserID, and the device summary under keyDevice.
var sessionOwner = store.GobOwner(keyUserID, keyDevice)

// backend is where the app keeps sessions and users: one SQLite file, or
// one PostgreSQL database.
type backend struct {
	sessions sessionStore
	users    *sql.DB
	dialect  string // "sqlite" or "postgres"
	where    string // for the start-up log line
	close    func()
}

// touchThreshold lets the store skip IdleTimeout's every-request writes
// while a session is unchanged; see sessionManager.
const touchThreshold = time.Minute

// openBackend opens the PostgreSQL database conn names (a postgres:// URL
// or keyword/value settings, "host=db dbname=app"), or else the SQLite file
// at the path conn is.
func openBackend(ctx context.Context, conn string, log *slog.Logger) (*backend, error) {
	if err := checkConn(conn); err != nil {
		return nil, err
	}
	if dsn.IsPostgres(conn) {
		return openPostgres(ctx, conn, log)
	}
	return openSQLite(conn, log)
}

// checkConn refuses a connection string pgx would misread (dsn.Check),
// naming where it came from and never quoting it.
func checkConn(conn string) error {
	if err := dsn.Check(conn); err != nil {
		return errors.New("the database (-db or DATABASE_URL) " + err.Error())
	}
	return nil
}

// usersConns is how many connections the users table's handle keeps on
// SQLite.
const usersConns = 4

func openSQLite(path string, log *slog.Logger) (*backend, error) {
	st, err := sqlitestore.Open(path, sqlitestore.Config{Logger: log, TouchThreshold: touchThreshold, Owner: sessionOwner})
	if err != nil {
		return nil, err
	}
	// The app's own table lives in the same file, through a handle of its
	// own (the store's connections are the store's).
	users, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?_pragma=busy_timeout(5000)")
	if err != nil {
		st.Close()
		return nil, err
	}
	// A few connections, kept: SQLite runs one writer at a time anyway, and
	// a pool that closes what a burst opened only opens them again.
	users.SetMaxOpenConns(usersConns)
	users.SetMaxIdleConns(usersConns)
	return &backend{
		sessions: st, users: users, dialect: "sqlite", where: "SQLite file " + path,
		close: func() { st.Close(); users.Close() },
	}, nil
}

func openPostgres(ctx context.Context, conn string, log *slog.Logger) (*backend, error) {
	pool, err := pgxpool.New(ctx, conn)
	if err != nil { // a parse error quotes conn: keep its password out of the log
		return nil, errors.New("the database (-db or DATABASE_URL): " + dsn.ParseError(err, conn))
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	if err := postgresstore.Migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	st, err := postgresstore.NewWithConfig(pool, postgresstore.Config{Logger: log, TouchThreshold: touchThreshold, Owner: sessionOwner})
	if err != nil {
		pool.Close()
		return nil, err
	}
	users := stdlib.OpenDBFromPool(pool)
	return &backend{
		sessions: st, users: users, dialect: "postgres", where: dsn.Describe(conn),
		close: func() { st.Close(); users.Close(); pool.Close() },
	}, nil
}
