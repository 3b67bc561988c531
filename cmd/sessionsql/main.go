// Command sessionsql runs sessionsql's schema and cleanup outside the app,
// and shows what the session table holds: from a deploy step, cron or a
// one-shot job.
//
//	sessionsql migrate up|down|status   apply, roll back or list the migrations
//	sessionsql prune                    delete expired sessions in batches
//	sessionsql stats [--json]           counts, expiries, sizes, busiest owners
//	sessionsql revoke --owner ID [--except SESSION-ID] | --all
//
// Every command takes the database as --db (a SQLite file's path, or a
// postgres:// URL) or --postgres (any PostgreSQL connection string pgx
// reads, "host=db dbname=app" too); without either it reads DATABASE_URL
// as it reads --db, and else libpq's PGHOST, PGDATABASE and the like.
// --table defaults to "sessions". Messages name a PostgreSQL database as
// user@host:port/database and never repeat its connection string. Exit
// status: 0 on success, 1 when the command failed (a prune that an
// interrupt stopped early too), 2 for a wrong command line.
//
// Install it with
//
//	go install github.com/sessionsql/sessionsql/cmd/sessionsql@latest
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"regexp"
	"syscall"
)

// command is one subcommand.
type command struct {
	name, summary string
	run           func(ctx context.Context, args []string, out, errOut io.Writer) error
}

var commands = []command{
	{"migrate", "apply (up), roll back (down) or list (status) the schema migrations", runMigrate},
	{"prune", "delete expired sessions in batches, with progress; Ctrl-C stops between batches", runPrune},
	{"stats", "live and expired sessions, expiries, table and index size, busiest owners", runStats},
	{"revoke", "delete one owner's sessions, or every session", runRevoke},
}

// errUsage marks a wrong command line: exit status 2. The message has been
// printed already.
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run runs one command line and returns the exit status.
func run(ctx context.Context, args []string, out, errOut io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(errOut)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, args[1:], out, errOut)
		switch {
		case err == nil:
			return 0
		case errors.Is(err, errUsage):
			return 2
		case errors.Is(err, errHelp):
			return 0
		default:
			fmt.Fprintln(errOut, "sessionsql "+c.name+":", err)
			return 1
		}
	}
	fmt.Fprintf(errOut, "sessionsql: unknown command%s\n\n", quoteWord(args[0]))
	usage(errOut)
	return 2
}

// word is an argument safe to repeat in a message: a word, not a
// connection string given in the wrong place.
var word = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]{0,31}$`)

// quoteWord is " %q" of arg when it is a word, and nothing otherwise.
func quoteWord(arg string) string {
	if word.MatchString(arg) {
		return fmt.Sprintf(" %q", arg)
	}
	return ""
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "sessionsql: run sessionsql's schema and cleanup, and look at the session table.")
	fmt.Fprintln(w, "\nUsage: sessionsql <command> [flags]\n\nCommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nEvery command takes --db (a SQLite file's path, or a postgres:// URL; default $DATABASE_URL),")
	fmt.Fprintln(w, "or --postgres (any PostgreSQL connection string), and --table (default sessions).")
	fmt.Fprintln(w, "Run sessionsql <command> --help for its flags and examples.")
}
