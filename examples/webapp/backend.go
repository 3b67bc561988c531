package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/sessionsql/sessionsql"
	"github.com/sessionsql/sessionsql/postgresstore"
	"github.com/sessionsql/sessionsql/sqlitestore"
)

// sessionOwner tells the store whose each session is: the user id the app
// keeps under keyUserID, and the device summary under keyDevice.
var sessionOwner = sessionsql.GobOwner(keyUserID, keyDevice)

// backend is where the app keeps sessions and users: one SQLite file, or
// one PostgreSQL database.
type backend struct {
	sessions *sessionsql.Store
	users    *sql.DB
	dialect  string // "sqlite" or "postgres"
	where    string // for the start-up log line
	close    func()
}

// touchThreshold lets the store skip IdleTimeout's every-request writes
// while a session is unchanged; see sessionManager.
const touchThreshold = time.Minute

// openBackend opens the database db names: a postgres:// or
// postgresql:// URL is PostgreSQL, anything else the path of a SQLite
// file; what is neither, checkDB refuses.
func openBackend(ctx context.Context, db string, log *slog.Logger) (*backend, error) {
	if err := checkDB(db); err != nil {
		return nil, err
	}
	if isPostgresURL(db) {
		return openPostgres(ctx, db, log)
	}
	return openSQLite(db, log)
}

func isPostgresURL(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

// checkDB refuses, before anything is opened, a -db (or DATABASE_URL) that
// is no postgres:// URL pgx reads and cannot be a SQLite file's path
// either. The message never quotes it: it may hold a password.
func checkDB(db string) error {
	switch {
	case isPostgresURL(db):
		if _, err := pgxpool.ParseConfig(db); err != nil {
			return errors.New("-db (or DATABASE_URL) is a postgres:// URL pgx cannot read (it is not repeated here, as it may hold a password)")
		}
	case strings.Contains(db, "://"), strings.Contains(db, "="):
		return errors.New("-db (or DATABASE_URL) is neither a postgres:// URL nor a SQLite file's path")
	}
	return nil
}

// describe names a PostgreSQL database for the log as pgx read its URL:
// user@host:port/database, never the URL, which may hold a password.
func describe(cfg *pgxpool.Config) string {
	c := cfg.ConnConfig
	return fmt.Sprintf("PostgreSQL at %s@%s:%d/%s", c.User, c.Host, c.Port, c.Database)
}

// usersConns is how many connections the users table's handle keeps on
// SQLite.
const usersConns = 4

func openSQLite(path string, log *slog.Logger) (*backend, error) {
	st, err := sqlitestore.Open(path, sqlitestore.Config{Config: sessionConfig(log)})
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

// sessionConfig is how the app's store is set up, on either backend.
func sessionConfig(log *slog.Logger) sessionsql.Config {
	return sessionsql.Config{Logger: log, TouchThreshold: touchThreshold, Owner: sessionOwner}
}

func openPostgres(ctx context.Context, url string, log *slog.Logger) (*backend, error) {
	cfg, err := pgxpool.ParseConfig(url) // checkDB has read it
	if err != nil {
		return nil, err
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	if err := postgresstore.Migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	st, err := postgresstore.NewWithConfig(pool, postgresstore.Config{Config: sessionConfig(log)})
	if err != nil {
		pool.Close()
		return nil, err
	}
	users := stdlib.OpenDBFromPool(pool)
	return &backend{
		sessions: st, users: users, dialect: "postgres", where: describe(cfg),
		close: func() { st.Close(); users.Close(); pool.Close() },
	}, nil
}
