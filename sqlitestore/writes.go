package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/sessionsql/sessionsql"
	"github.com/sessionsql/sessionsql/internal/batch"
)

// writeKind names one of the store's write statements.
type writeKind string

const (
	writeCommit       writeKind = "commit"
	writeDelete       writeKind = "delete"
	writeExpiredBatch writeKind = "delete expired batch"
	writeExpiredAll   writeKind = "delete expired"
	writeCommitOwned  writeKind = "commit with owner"
	writeSameOwner    writeKind = "commit with the same owner"
	writeDeleteOwner  writeKind = "delete owner"
	writeOwnerExpired writeKind = "delete owner's expired"
	writeDeleteOwned  writeKind = "delete owned"
	writeOwnedExpired writeKind = "delete owned expired"
	writeSetOwner     writeKind = "set owner"
)

// writes returns every write statement by kind; the owner index's only
// when it is on (its columns may not exist otherwise).
func (q queries) writes(owner bool) map[writeKind]string {
	w := map[writeKind]string{
		writeCommit:       q.commit,
		writeDelete:       q.delete,
		writeExpiredBatch: q.deleteExpiredBatch,
		writeExpiredAll:   q.deleteExpiredAll,
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

// maxGroup bounds how many writes share one transaction.
const maxGroup = 64

// writer runs the store's writes one batch at a time (SQLite runs one
// writer at a time anyway): left to SQLite's busy handler, which sleeps and
// retries in no particular order, one of many goroutines writing at once
// could wait past the busy timeout and fail with "database is locked"
// while the others got through.
//
// Over the one connection of a store from Open (conn), a batch of several
// writes runs in one transaction: group commit, so concurrent requests
// share the cost of a commit instead of queueing for it one by one. Every
// caller gets the outcome of its own statement, and an error always means
// its write is not in the database: a statement that fails rolls the
// group back, and the others then run one at a time. Over a caller's
// *sql.DB, whose connections the app shares, each write runs by itself.
type writer struct {
	conn        *sql.Conn // nil: writes go to a caller's *sql.DB, one at a time
	stmts       map[writeKind]*stmt
	batches     *batch.Batcher[writeReq]
	grouped     atomic.Int64  // writes committed in a transaction with others
	checkpoints *checkpointer // copies the WAL back in the background; nil: SQLite's own
}

// writeReq is one write: its statement, arguments and rows affected.
type writeReq struct {
	kind writeKind
	args []any
	n    int64
}

// newWriter returns the writer of a store whose statements prepare on db,
// or, when conn is set, on that one connection of it.
func newWriter(db *sql.DB, conn *sql.Conn, q queries, owner bool) *writer {
	w := &writer{conn: conn, stmts: map[writeKind]*stmt{}}
	var on preparer = db
	if conn != nil {
		on = conn
	}
	for kind, query := range q.writes(owner) {
		w.stmts[kind] = newStmt(on, query)
	}
	w.batches = batch.New(batch.Config[writeReq]{Slots: 1, Max: maxGroup, Run: w.run})
	return w
}

// prepare prepares every statement now, so that a missing table or column
// is found at once.
func (w *writer) prepare(ctx context.Context) error {
	for kind, st := range w.stmts {
		if _, err := st.get(ctx); err != nil {
			return fmt.Errorf("prepare %s: %w", kind, err)
		}
	}
	return nil
}

// exec runs one write and returns the rows it affected. If ctx ends before
// its batch has taken it, it never runs; once taken, exec waits for the
// outcome (the statement itself watches ctx), so an error always means
// nothing was written.
func (w *writer) exec(ctx context.Context, kind writeKind, args ...any) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	op := batch.NewOp[writeReq]()
	op.Ctx, op.Req = ctx, writeReq{kind: kind, args: args}
	w.batches.Do(op)
	return op.Req.n, op.Err
}

// run executes a batch: alone when it holds one write or when the writer
// has no connection of its own; else in one transaction.
func (w *writer) run(_ context.Context, ops []*batch.Op[writeReq]) {
	if len(ops) == 1 || w.conn == nil {
		for _, op := range ops {
			w.alone(op)
		}
		return
	}
	bg := context.Background()
	if _, err := w.conn.ExecContext(bg, "BEGIN IMMEDIATE"); err != nil {
		for _, op := range ops {
			w.alone(op)
		}
		return
	}
	for i, op := range ops {
		op.Req.n, op.Err = w.execOne(op)
		if op.Err != nil {
			// Undo the group; the failed write keeps its error, the others
			// run again on their own.
			_, _ = w.conn.ExecContext(bg, "ROLLBACK")
			for j, other := range ops {
				if j != i {
					w.alone(other)
				}
			}
			return
		}
	}
	if _, err := w.conn.ExecContext(bg, "COMMIT"); err != nil {
		_, _ = w.conn.ExecContext(bg, "ROLLBACK")
		for _, op := range ops {
			op.Req.n, op.Err = 0, err
		}
		return
	}
	w.grouped.Add(int64(len(ops)))
	w.wrote()
}

// alone runs op's write as its own transaction.
func (w *writer) alone(op *batch.Op[writeReq]) {
	op.Req.n, op.Err = w.execOne(op)
	if op.Err == nil {
		w.wrote()
	}
}

// execOne runs op's statement and returns the rows it affected.
func (w *writer) execOne(op *batch.Op[writeReq]) (int64, error) {
	st, err := w.stmts[op.Req.kind].get(op.Ctx)
	if err != nil {
		return 0, err
	}
	res, err := st.ExecContext(op.Ctx, op.Req.args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// wrote tells the checkpointer, if any, that the WAL grew.
func (w *writer) wrote() {
	if w.checkpoints != nil {
		w.checkpoints.written()
	}
}

// close waits for the batch in flight, fails the writes still queued with
// sessionsql.ErrClosed, and releases the statements, the connection and
// the checkpointer. Later writes fail with sessionsql.ErrClosed.
func (w *writer) close() error {
	w.batches.Close(sessionsql.ErrClosed)
	var errs []error
	for _, st := range w.stmts {
		errs = append(errs, st.close())
	}
	if w.conn != nil {
		errs = append(errs, w.conn.Close())
	}
	if w.checkpoints != nil {
		errs = append(errs, w.checkpoints.close())
	}
	return errors.Join(errs...)
}
