package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/sessionsql/sessionsql"
	"github.com/sessionsql/sessionsql/migrations"
)

func runRevoke(ctx context.Context, args []string, out, errOut io.Writer) error {
	var owner, except string
	var all bool
	var grace time.Duration
	f := newFlags("revoke", "revoke --owner ID [--except SESSION-ID] | --all  [--db DB] [--grace D]", []string{
		"sessionsql revoke --db sessions.db --owner 42                  # log user 42 out everywhere",
		"sessionsql revoke --db sessions.db --owner 42 --except Xy9...  # keep the session with that ID",
		"sessionsql revoke --db postgres://app@db/app --all             # log everybody out",
	}, errOut)
	f.StringVar(&owner, "owner", "", "delete the sessions of this owner (the owner index's ID, e.g. a user id)")
	f.StringVar(&except, "except", "", "with --owner: keep this session: its ID (as OwnerSessions and CurrentSessionID give it) or its stored token")
	f.BoolVar(&all, "all", false, "delete every session in the table")
	f.DurationVar(&grace, "grace", sessionsql.DefaultDeleteGrace, "how long past its expiry a revoked session's token stays refused: the app's Config.DeleteGrace")
	if err := f.parse(args); err != nil {
		return err
	}
	switch {
	case f.NArg() != 0:
		return f.usageError("revoke takes no arguments")
	case all == (owner != ""):
		return f.usageError("say --owner ID or --all")
	case all && except != "":
		return f.usageError("--except goes with --owner")
	case grace <= 0:
		return f.usageError("--grace must be positive")
	}
	d, err := open(ctx, f.t, false)
	if err != nil {
		return err
	}
	defer d.close()
	if all {
		live, expired, err := d.revokeAll(ctx, time.Now(), grace)
		if err != nil {
			return d.explain(err)
		}
		fmt.Fprintf(out, "revoked every session: %s deleted from %s (and %s)\n", count(live, "live session"), d.where, count(expired, "expired row"))
		return nil
	}
	st, err := d.store(grace)
	if err != nil {
		return err
	}
	defer st.Close()
	if except != "" {
		if except, err = keptSession(ctx, st, owner, except); err != nil {
			return d.explain(err)
		}
	}
	n, err := st.RevokeOwner(ctx, owner, except)
	if err != nil {
		return d.explain(err)
	}
	fmt.Fprintf(out, "revoked %s of owner %s in %s\n", count(n, "session"), owner, d.where)
	return nil
}

// keptSession returns the ID of the session --except names (an ID or a
// stored token), after checking that it is one of owner's live sessions:
// RevokeOwner keeps none when it names none, so a mistyped --except would
// otherwise log the owner out everywhere.
func keptSession(ctx context.Context, st *sessionsql.Store, owner, except string) (string, error) {
	id := except
	if len(except) != len(sessionsql.SessionID("")) { // a stored token, not an ID
		id = sessionsql.SessionID(except)
	}
	infos, err := st.OwnerSessions(ctx, owner)
	if err != nil {
		return "", err // the caller explains it
	}
	for _, info := range infos {
		if info.ID == id {
			return id, nil
		}
	}
	return "", fmt.Errorf("--except %s is none of owner %s's %d live sessions, so nothing was revoked: check the ID (OwnerSessions and CurrentSessionID give it), or leave --except out to revoke them all", except, owner, len(infos))
}

// revokeAll deletes every session of the table in one transaction, as
// the stores' Delete does: each leaves a tombstone that refuses its token
// until the later of its expiry and now, plus grace. It counts the live
// sessions (expiry after now) and the expired ones apart, so the count of
// logged-out sessions agrees with stats.
func (d *database) revokeAll(ctx context.Context, now time.Time, grace time.Duration) (live, expired int64, err error) {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, 0, err
	}
	defer tx.Rollback() // a no-op after Commit
	bury := d.tombstoneAll()
	res, err := tx.ExecContext(ctx, bury+" AND expiry <= $1", d.timeArg(now), d.graceArg(grace))
	if err != nil {
		return 0, 0, err
	}
	if expired, err = res.RowsAffected(); err != nil {
		return 0, 0, err
	}
	if res, err = tx.ExecContext(ctx, bury, d.timeArg(now), d.graceArg(grace)); err != nil {
		return 0, 0, err
	}
	if live, err = res.RowsAffected(); err != nil {
		return 0, 0, err
	}
	return live, expired, tx.Commit()
}

// tombstoneAll is the UPDATE that turns every session of the table into a
// tombstone lasting until the later of its expiry and $1, plus $2 (see
// graceArg), in the backends' own terms; a WHERE clause may follow.
func (d *database) tombstoneAll() string {
	if d.dialect == migrations.SQLite {
		return "UPDATE " + d.table.Quoted() + ` SET data = x'', owner = NULL, device = NULL, deleted = 1,
  expiry = max(expiry, $1) + $2 WHERE NOT deleted`
	}
	return "UPDATE " + d.table.Quoted() + ` SET data = '\x', owner = NULL, device = NULL, deleted = true,
  expiry = greatest(expiry, $1::timestamptz) + $2::bigint * interval '1 microsecond' WHERE NOT deleted`
}
