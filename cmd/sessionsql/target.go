package main

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// target is where a command works, as its flags say: --db, --postgres
// and --table.
type target struct {
	db, postgres, table string

	pg   *pgxpool.Config // set by resolve for PostgreSQL
	path string          // set by resolve for SQLite
	// where names the database in messages: "SQLite file PATH", or
	// "PostgreSQL at user@host:port/db" from pgx's parsed config, never
	// the connection string, which may hold a password.
	where string
}

// pgEnv are libpq's environment variables that name a PostgreSQL server or
// database: with one of them set and no --db, --postgres or DATABASE_URL,
// the command connects to PostgreSQL as pgx reads the environment.
var pgEnv = []string{"PGHOST", "PGHOSTADDR", "PGDATABASE", "PGSERVICE"}

// resolve says which backend t names, without guessing: a postgres:// or
// postgresql:// URL (--db or DATABASE_URL), any connection string pgx
// reads (--postgres), or libpq's PG* variables are PostgreSQL; a path is a
// SQLite file. What it refuses is a usage error whose message never
// quotes the string.
func (t *target) resolve() error {
	switch {
	case t.db != "" && t.postgres != "":
		return errors.New("give --db or --postgres, not both")
	case t.postgres != "":
		return t.parsePostgres("--postgres", t.postgres)
	case t.db != "":
		return t.byForm("--db", t.db)
	case os.Getenv("DATABASE_URL") != "":
		return t.byForm("DATABASE_URL", os.Getenv("DATABASE_URL"))
	}
	for _, v := range pgEnv {
		if os.Getenv(v) != "" {
			return t.parsePostgres(v, "")
		}
	}
	return errors.New("no database: pass --db with a SQLite file or a postgres:// URL, or --postgres with any PostgreSQL connection string; or set DATABASE_URL, or PGHOST and PGDATABASE")
}

// userInfo matches a string that starts as a URL's user:password@ does:
// a connection string without its scheme, never taken for a file's path.
var userInfo = regexp.MustCompile(`^[^/\s]*:[^@\s]*@`)

// byForm resolves s, given as source (--db or DATABASE_URL), by its form.
func (t *target) byForm(source, s string) error {
	switch {
	case strings.HasPrefix(s, "postgres://"), strings.HasPrefix(s, "postgresql://"):
		return t.parsePostgres(source, s)
	case strings.HasPrefix(s, "file:"):
		return fmt.Errorf("%s is a file: URI: give the SQLite file's path instead (the command sets the connection's pragmas itself)", source)
	case strings.Contains(s, "://"):
		return fmt.Errorf("%s is a URL of another kind: give a postgres:// URL, or a SQLite file's path", source)
	case strings.Contains(s, "="):
		return fmt.Errorf("%s holds an \"=\", as a keyword/value connection string does: pass one of those with --postgres (SQLite paths with an \"=\" are not taken here)", source)
	case userInfo.MatchString(s):
		return fmt.Errorf("%s starts as user:password@ does: give a PostgreSQL URL with its scheme, postgres://, or a SQLite file's path", source)
	}
	t.path, t.where = s, "SQLite file "+s
	return nil
}

// parsePostgres reads s (from source) as pgx does; "" reads libpq's
// environment variables alone. Unless s names an exec mode, the command
// uses pgx's exec mode, which works through every connection pooler
// (PgBouncer in transaction mode keeps no prepared statement from one
// transaction to the next); the command runs too few statements for
// prepared ones to pay.
func (t *target) parsePostgres(source, s string) error {
	cfg, err := pgxpool.ParseConfig(s)
	if err != nil {
		return unreadable(source, s, err)
	}
	if why := misread(s, &cfg.ConnConfig.Config); why != "" {
		return fmt.Errorf("%s would be misread by pgx, which would take a piece of the password for something else (the string is not repeated here): it has %s", source, why)
	}
	if !strings.Contains(s, "default_query_exec_mode") {
		cfg.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeExec
	}
	t.pg = cfg
	c := cfg.ConnConfig
	t.where = fmt.Sprintf("PostgreSQL at %s@%s/%s", c.User, servers(&c.Config), c.Database)
	return nil
}

// unreadable is the fixed message for a connection string s (from
// source) that pgx cannot read: pgx's own message quotes pieces of it. A
// file it names that cannot be read (a CA file, a service file) is said:
// such a path holds no password.
func unreadable(source, s string, err error) error {
	msg := source + " is no PostgreSQL connection string pgx can read (it is not repeated here, as it may hold a password)"
	if s == "" {
		msg = "libpq's PG* environment variables (" + source + ", PGPORT, PGSSLMODE, ...) hold a value pgx cannot read"
	}
	msg += ": check it against https://pkg.go.dev/github.com/jackc/pgx/v5/pgconn#ParseConfig"
	var pathErr *fs.PathError
	switch {
	case errors.As(err, &pathErr):
		msg += fmt.Sprintf("; it names %s, which cannot be read: %v", pathErr.Path, pathErr.Err)
	case strings.Contains(err.Error(), "failed to read service"):
		msg += "; its service file (servicefile, or PGSERVICEFILE) cannot be read"
	}
	return errors.New(msg)
}

// misread says what in s would make pgx take a piece of the password for
// something else, which a message naming the target would then print, or
// "" when nothing would. In a URL a password holding "/", "?" or "#" ends
// the user info early: the rest lands in the port, the database or the
// query. In either form, settings run together put "=" in a value.
func misread(s string, c *pgconn.Config) string {
	values := []string{c.Host, c.User, c.Database}
	for _, f := range c.Fallbacks {
		values = append(values, f.Host)
	}
	for _, v := range values {
		if strings.ContainsAny(v, "= \t\n") {
			return "settings run together (keyword/value settings are separated by spaces; a value with a space is quoted)"
		}
	}
	if !strings.HasPrefix(s, "postgres://") && !strings.HasPrefix(s, "postgresql://") {
		return ""
	}
	rest := s[strings.Index(s, "://")+3:]
	if strings.Contains(rest, "#") {
		return `a "#" (in a password, write it %23)`
	}
	rest, query, _ := strings.Cut(rest, "?")
	if i := strings.Index(rest, "/"); i >= 0 && strings.Contains(rest[i:], "@") {
		return `an "@" after the host (in a password, write "/" as %2F and "@" as %40; in a database name, "@" as %40)`
	}
	for piece := range strings.SplitSeq(query, "&") {
		if piece != "" && !strings.Contains(piece, "=") {
			return `a query piece that is no key=value pair (in a password, write "?" as %3F)`
		}
	}
	return ""
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
