package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/sessionsql/sessionsql/migrations"
	"github.com/sessionsql/sessionsql/store"
)

func runMigrate(ctx context.Context, args []string, out, errOut io.Writer) error {
	var t target
	fs := newFlags("migrate", "migrate up|down|status [--db DB]", []string{
		"sessionsql migrate up --db sessions.db",
		"DATABASE_URL=postgres://app@db/app sessionsql migrate up",
		"sessionsql migrate status --db postgres://app@db/app",
		"sessionsql migrate down --db sessions.db   # rolls back the latest migration",
	}, errOut, &t)
	op := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") { // migrate up --db ...
		op, args = args[0], args[1:]
	}
	if err := parse(fs, args, &t); err != nil {
		return err
	}
	extra := fs.Args()
	if op == "" && len(extra) > 0 { // migrate --db ... up
		op, extra = extra[0], extra[1:]
	}
	if op == "" {
		return usageError(fs, "say up, down or status")
	}
	if len(extra) != 0 {
		return usageError(fs, extraArgs(extra))
	}
	if op != "up" && op != "down" && op != "status" {
		return usageError(fs, fmt.Sprintf("unknown migrate action %q; say up, down or status", op))
	}
	if t.table != store.DefaultTableName {
		return usageError(fs, fmt.Sprintf("--table %s does not apply to migrate: the migrations create the table %q and no other; a table of another name is yours to create, with the same columns and indexes", t.table, store.DefaultTableName))
	}
	d, err := open(ctx, t, op == "up")
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
// action. Flags end at the first argument that is none, so a flag there
// was never read: flags go all before the action or all after it.
// Anything else is one argument too many.
func extraArgs(extra []string) string {
	if strings.HasPrefix(extra[0], "-") {
		return fmt.Sprintf("%s was not read as a flag: give the flags all before the action (migrate --db DB up) or all after it (migrate up --db DB), not on both sides", strings.Join(extra, " "))
	}
	return fmt.Sprintf("migrate takes one action (up, down or status) and flags; %q is one argument too many", extra[0])
}
