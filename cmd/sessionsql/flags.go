package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/sessionsql/sessionsql/internal/sqlident"
)

// errHelp means --help was asked for and printed: exit status 0.
var errHelp = errors.New("help")

// flags are a command's flags, with --db, --postgres and --table bound to
// t for every command.
type flags struct {
	*flag.FlagSet
	t        target
	errOut   io.Writer
	synopsis string
	examples []string
}

// newFlags returns the flags of command name, whose usage text is made of
// synopsis and examples.
func newFlags(name, synopsis string, examples []string, errOut io.Writer) *flags {
	f := &flags{FlagSet: flag.NewFlagSet("sessionsql "+name, flag.ContinueOnError), errOut: errOut, synopsis: synopsis, examples: examples}
	// The flag package prints its errors quoting the value; parse prints
	// them without it (see flagError), and the usage once.
	f.SetOutput(io.Discard)
	f.Usage = func() {}
	f.StringVar(&f.t.db, "db", "", "a SQLite file's path, or a postgres:// URL (default $DATABASE_URL)")
	f.StringVar(&f.t.postgres, "postgres", "", "any PostgreSQL connection string pgx reads, such as \"host=db dbname=app\"")
	f.StringVar(&f.t.table, "table", "sessions", "the session table, \"table\" or \"schema.table\"")
	return f
}

// usage prints the command's usage text.
func (f *flags) usage() {
	fmt.Fprintf(f.errOut, "Usage: sessionsql %s\n\nFlags:\n", f.synopsis)
	f.SetOutput(f.errOut)
	f.PrintDefaults()
	f.SetOutput(io.Discard)
	fmt.Fprintf(f.errOut, "\nWithout --db or --postgres: $DATABASE_URL, or else libpq's PGHOST, PGDATABASE, ...\n")
	fmt.Fprintf(f.errOut, "\nExamples:\n  %s\n", strings.Join(f.examples, "\n  "))
}

// parse parses args, mapping --help to errHelp and mistakes to errUsage,
// and resolves the target: which backend, and a valid --table.
func (f *flags) parse(args []string) error {
	err := f.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		f.usage()
		return errHelp
	case err != nil:
		return f.usageError(flagError(err))
	}
	if err := f.t.resolve(); err != nil {
		return f.usageError(err.Error())
	}
	if _, err := sqlident.Parse(f.t.table); err != nil {
		return f.usageError(fmt.Sprintf("--table: %v", err))
	}
	return nil
}

// flagValue matches the flag package's message for a value it cannot
// read, which quotes the value.
var flagValue = regexp.MustCompile(`^invalid value ".*" for flag (-\S+): (.*)$`)

// flagError is the flag package's err without the value it quotes: a
// connection string given to the wrong flag would be printed, password
// and all.
func flagError(err error) string {
	if m := flagValue.FindStringSubmatch(err.Error()); m != nil {
		return "invalid value for flag " + m[1] + ": " + m[2]
	}
	return err.Error()
}

// usageError prints msg and the command's usage, for errUsage.
func (f *flags) usageError(msg string) error {
	fmt.Fprintf(f.errOut, "%s: %s\n\n", f.Name(), msg)
	f.usage()
	return errUsage
}
