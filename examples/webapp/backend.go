package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
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

// openBackend opens the database db names: with postgres set, or when db
// is a postgres:// or postgresql:// URL, PostgreSQL (db "" reads libpq's
// PG* environment variables); otherwise the SQLite file at path db. What
// is neither, checkDB refuses.
func openBackend(ctx context.Context, db string, postgres bool, log *slog.Logger) (*backend, error) {
	if err := checkDB(db, postgres); err != nil {
		return nil, err
	}
	if postgres || isPostgresURL(db) {
		return openPostgres(ctx, db, log)
	}
	return openSQLite(db, log)
}

func isPostgresURL(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

// userInfo matches a string that starts as a URL's user:password@ does: a
// connection string without its scheme, never taken for a file's path.
var userInfo = regexp.MustCompile(`^[^/\s]*:[^@\s]*@`)

// checkDB refuses, before anything is opened, a database the app cannot
// tell for sure: a PostgreSQL connection string pgx cannot read, or would
// misread (see misread), or a -db that is neither a postgres:// URL nor
// can be a SQLite file's path. The message never quotes it: it may hold a
// password.
func checkDB(db string, postgres bool) error {
	const which = "the database (-db, -postgres or DATABASE_URL)"
	if postgres || isPostgresURL(db) {
		cfg, err := pgxpool.ParseConfig(db)
		if err != nil {
			return errors.New(which + " is a PostgreSQL connection string pgx cannot read (it is not repeated here, as it may hold a password)")
		}
		if why := misread(db, cfg.ConnConfig); why != "" {
			return errors.New(which + " would be misread by pgx, which would take a piece of its password for something else: it has " + why)
		}
		return nil
	}
	if strings.Contains(db, "://") || strings.Contains(db, "=") || userInfo.MatchString(db) {
		return errors.New(which + " is neither a postgres:// URL nor a SQLite file's path (give a keyword/value string with -postgres)")
	}
	return nil
}

// misread says what in s would make pgx take a piece of the password for
// something else, which the log line naming the database would then
// print, or "" when nothing would: in a URL, a password holding "/", "?"
// or "#" ends the user info early; in either form, settings run together
// put "=" or a space in a value.
func misread(s string, c *pgx.ConnConfig) string {
	values := []string{c.Host, c.User, c.Database}
	for _, f := range c.Fallbacks {
		values = append(values, f.Host)
	}
	for _, v := range values {
		if strings.ContainsAny(v, "= \t\n") {
			return "settings run together"
		}
	}
	if !isPostgresURL(s) {
		return ""
	}
	rest := s[strings.Index(s, "://")+3:]
	rest, query, _ := strings.Cut(rest, "?")
	if i := strings.Index(rest, "/"); strings.Contains(s, "#") || i >= 0 && strings.Contains(rest[i:], "@") {
		return `a "#", or an "@" after the host (percent-encode "/", "?", "#" and "@" in a password)`
	}
	for piece := range strings.SplitSeq(query, "&") {
		if piece != "" && !strings.Contains(piece, "=") {
			return `a query piece that is no key=value pair (percent-encode "?" in a password)`
		}
	}
	return ""
}

// describe names a PostgreSQL database for the log as pgx read it:
// user@host:port/database, never the connection string, which may hold a
// password.
func describe(cfg *pgxpool.Config) string {
	c := cfg.ConnConfig
	return fmt.Sprintf("PostgreSQL at %s@%s/%s", c.User, servers(&c.Config), c.Database)
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

func openPostgres(ctx context.Context, conn string, log *slog.Logger) (*backend, error) {
	cfg, err := pgxpool.ParseConfig(conn) // checkDB has read it
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

// servers lists the servers c names, host:port each ([host]:port for an
// IPv6 address), in the order pgx tries them and without repeats (pgx
// lists a server twice when it tries TLS first, then without).
func servers(c *pgconn.Config) string {
	list := []string{net.JoinHostPort(c.Host, strconv.Itoa(int(c.Port)))}
	for _, f := range c.Fallbacks {
		if hp := net.JoinHostPort(f.Host, strconv.Itoa(int(f.Port))); !slices.Contains(list, hp) {
			list = append(list, hp)
		}
	}
	return strings.Join(list, ",")
}
