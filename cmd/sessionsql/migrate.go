package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/sessionsql/sessionsql"
	"github.com/sessionsql/sessionsql/migrations"
)

func runMigrate(ctx context.Context, args []string, out, errOut io.Writer) error {
	f := newFlags("migrate", "migrate up|down|status [--db DB]", []string{
		"sessionsql migrate up --db sessions.db",
		"DATABASE_URL=postgres://app@db/app sessionsql migrate up",
		"sessionsql migrate status --db postgres://app@db/app",
		"sessionsql migrate down --db sessions.db   # rolls back the latest migration",
	}, errOut)
	op := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") { // migrate up --db ...
		op, args = args[0], args[1:]
	}
	if err := f.parse(args); err != nil {
		return err
	}
	extra := f.Args()
	if op == "" && len(extra) > 0 { // migrate --db ... up
		op, extra = extra[0], extra[1:]
	}
	if op == "" {
		return f.usageError("say up, down or status")
	}
	if len(extra) != 0 {
		return f.usageError(extraArgs(extra))
	}
	if op != "up" && op != "down" && op != "status" {
		return f.usageError(fmt.Sprintf("unknown migrate action%s; say up, down or status", quoteWord(op)))
	}
	if f.t.table != sessionsql.DefaultTableName {
		return f.usageError(fmt.Sprintf("--table %s does not apply to migrate: the migrations create the table %q and no other; a table of another name is yours to create, with the same columns and indexes", f.t.table, sessionsql.DefaultTableName))
	}
	d, err := open(ctx, f.t, op == "up")
	if err != nil {
		return err
	}
	defer d.close()
	switch op {
	case "up":
		if err := migrations.Up(ctx, d.db, d.dialect); err != nil {
			return d.explain(err)
		}
	case "down":
		v, err := migrations.Version(ctx, d.db, d.dialect)
		if err != nil {
			return d.explain(err)
		}
		if v == 0 {
			fmt.Fprintln(out, "no migration is applied, so there is nothing to roll back")
		} else if err := migrations.Down(ctx, d.db, d.dialect); err != nil {
			return d.explain(err)
		}
	}
	list, err := migrations.List(ctx, d.db, d.dialect)
	if err != nil {
		return d.explain(err)
	}
	fmt.Fprintf(out, "%s (version table %s):\n", d.where, migrations.VersionTable)
	for _, st := range list {
		state := "pending"
		if st.Applied {
			state = "applied"
		}
		fmt.Fprintf(out, "  %-8s %s\n", state, st.Name)
	}
	return nil
}

// extraArgs says what is wrong with the arguments left after migrate's
// action, quoting only a flag's name or a plain word (never a value,
// which may be a connection string). Flags end at the first argument that
// is none, so a flag there was never read: flags go all before the action
// or all after it. Anything else is one argument too many.
func extraArgs(extra []string) string {
	if name, _, _ := strings.Cut(extra[0], "="); strings.HasPrefix(name, "-") {
		if !word.MatchString(strings.TrimLeft(name, "-")) {
			name = "a flag"
		}
		return fmt.Sprintf("%s was not read as a flag: give the flags all before the action (migrate --db DB up) or all after it (migrate up --db DB), not on both sides", name)
	}
	return fmt.Sprintf("migrate takes one action (up, down or status) and flags; the argument%s after it is one too many", quoteWord(extra[0]))
}
