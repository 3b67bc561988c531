package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/sessionsql/sessionsql/internal/dsn"
	"github.com/sessionsql/sessionsql/internal/sqlident"
)

// errHelp means --help was asked for and printed: exit status 0.
var errHelp = errors.New("help")

// target is where a command works: --db and --table.
type target struct {
	db, table string
}

// newFlags returns a flag set for command name, with --db and --table
// bound to t, and a usage text made of synopsis and examples.
func newFlags(name, synopsis string, examples []string, errOut io.Writer, t *target) *flag.FlagSet {
	fs := flag.NewFlagSet("sessionsql "+name, flag.ContinueOnError)
	fs.SetOutput(errOut)
	// No default value: the usage text would print $DATABASE_URL, password
	// and all; parse reads it.
	fs.StringVar(&t.db, "db", "", "a SQLite file, or a PostgreSQL URL (postgres://...) or keyword/value string (host=... dbname=...); default $DATABASE_URL")
	fs.StringVar(&t.table, "table", "sessions", "the session table, \"table\" or \"schema.table\"")
	fs.Usage = func() {
		fmt.Fprintf(errOut, "Usage: sessionsql %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
		fmt.Fprintf(errOut, "\nExamples:\n  %s\n", strings.Join(examples, "\n  "))
	}
	return fs
}

// parse parses args, mapping --help to errHelp and mistakes to errUsage,
// and checks t: a --db given (or $DATABASE_URL), that is a PostgreSQL
// connection string or no URL at all, and a valid --table.
func parse(fs *flag.FlagSet, args []string, t *target) error {
	err := fs.Parse(args)
	if t.db == "" {
		t.db = os.Getenv("DATABASE_URL")
	}
	switch {
	case errors.Is(err, flag.ErrHelp):
		return errHelp
	case err != nil:
		return errUsage
	case t.db == "":
		return usageError(fs, "no database: pass --db with a SQLite file or a PostgreSQL connection string, or set DATABASE_URL")
	case strings.HasPrefix(t.db, "file:"):
		return usageError(fs, "--db is a file: URI: give the SQLite file's path instead (the command sets the connection's pragmas itself)")
	case dsn.Check(t.db) != nil:
		return usageError(fs, "--db "+dsn.Check(t.db).Error())
	case dsn.IsPostgres(t.db):
		// A file the settings name (sslrootcert, a service file) that
		// cannot be read is no mistake of the command line: open reports
		// it, with status 1.
		if _, err := pgxpool.ParseConfig(t.db); err != nil && !readsFile(err) {
			return usageError(fs, "--db is not a valid PostgreSQL connection string: "+dsn.ParseError(err, t.db))
		}
	}
	if _, err := sqlident.Parse(t.table); err != nil {
		return usageError(fs, fmt.Sprintf("--table: %v", err))
	}
	return nil
}

// usageError prints msg and the command's usage, for errUsage.
func usageError(fs *flag.FlagSet, msg string) error {
	fmt.Fprintf(fs.Output(), "%s: %s\n\n", fs.Name(), msg)
	fs.Usage()
	return errUsage
}

// readsFile reports whether err, from parsing a PostgreSQL connection
// string, is about a file its settings or the environment name rather
// than the string: one that could not be read (a CA file), or a service
// file (servicefile, PGSERVICEFILE), whose error pgx wraps without the
// file's own, so only its text tells it.
func readsFile(err error) bool {
	var pathErr *fs.PathError
	return errors.As(err, &pathErr) || strings.Contains(err.Error(), "failed to read service")
}
