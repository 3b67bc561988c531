package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
)

// writeKind names one of the store's write statements.
type writeKind string

const (
	writeCommit        writeKind = "commit"
	writeDelete        writeKind = "delete"
	writeExpiredBatch  writeKind = "delete expired batch"
	writeExpiredAllNow writeKind = "delete expired"
	writeCommitOwned   writeKind = "commit with owner"
	writeSameOwner     writeKind = "commit with the same owner"
	writeDeleteOwner   writeKind = "delete owner"
	writeOwnerExpired  writeKind = "delete owner's expired"
	writeDeleteOwned   writeKind = "delete owned"
	writeOwnedExpired  writeKind = "delete owned expired"
	writeSetOwner      writeKind = "set owner"
)

// writes returns every write statement by kind; the owner index's only
// when it is on (its columns may not exist otherwise).
func (q queries) writes(owner bool) map[writeKind]string {
	w := map[writeKind]string{
		writeCommit:        q.commit,
		writeDelete:        q.delete,
		writeExpiredBatch:  q.deleteExpiredBatch,
		writeExpiredAllNow: q.deleteExpiredAll,
	}
	if owner {
		w[writeCommitOwned] = q.commitOwned
		w[writeSameOwner] = q.upsertSameOwner
		w[writeDeleteOwner] = q.deleteOwner
		w[writeOwnerExpired] = q.deleteOwnerExpired
		w[writeDeleteOwned] = q.deleteOwned
		w[writeOwnedExpired] = q.deleteOwnedExpired
		w[writeSetOwner] = q.setOwner
	}
	return w
}

// writer runs the store's write statements.
type writer interface {
	exec(ctx context.Context, kind writeKind, args ...any) (int64, error)
	close() error
}

// directWrites runs each write through statements prepared on first use on
// the caller's *sql.DB: the writer for stores from New, whose database may
// be shared with the app and its connections. The store's writes take
// turns (SQLite runs one writer at a time anyway): left to SQLite's busy
// handler, which sleeps and retries in no particular order, one of many
// goroutines writing at once could wait past the busy timeout and fail
// with "database is locked" while the others got through.
type directWrites struct {
	stmts map[writeKind]*stmt
	turn  chan struct{} // holds a value while one of the store's writes runs
}

func newDirectWrites(db *sql.DB, q queries, owner bool) *directWrites {
	d := &directWrites{stmts: map[writeKind]*stmt{}, turn: make(chan struct{}, 1)}
	for kind, query := range q.writes(owner) {
		d.stmts[kind] = newStmt(db, query)
	}
	return d
}

func (d *directWrites) exec(ctx context.Context, kind writeKind, args ...any) (int64, error) {
	st, err := d.stmts[kind].get(ctx)
	if err != nil {
		return 0, err
	}
	select {
	case d.turn <- struct{}{}:
		defer func() { <-d.turn }()
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	res, err := st.ExecContext(ctx, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (d *directWrites) close() error {
	var errs []error
	for _, st := range d.stmts {
		errs = append(errs, st.close())
	}
	return errors.Join(errs...)
}
