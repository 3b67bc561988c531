package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/sessionsql/sessionsql/store"
)

// maxGroup bounds how many writes share one transaction.
const maxGroup = 64

// groupWrites is the single writer of a store from Open: every write runs
// on one connection, and when several are waiting they run in one
// transaction (group commit), so concurrent requests share the cost of a
// commit instead of queueing for it one by one.
//
// There is no writer goroutine: a caller that finds the connection free
// becomes the leader and runs its own write and everything queued behind
// it; the others wait for their result. A lone write therefore runs on its
// caller's goroutine, with no handoff and no transaction around it.
//
// Every caller gets the result of its own statement, and an error always
// means its write is not in the database: a statement that fails rolls the
// group back, and the others are then run one at a time.
type groupWrites struct {
	conn  *sql.Conn
	stmts map[writeKind]*sql.Stmt

	lead sync.Mutex // held by the leader while it runs writes

	mu     sync.Mutex // guards queue and closed
	queue  []*writeReq
	closed bool

	groups  atomic.Int64 // transactions that held more than one write
	grouped atomic.Int64 // writes committed in such a transaction
	leading atomic.Bool  // a leader is running writes

	checkpoints *checkpointer // copies the WAL back in the background; nil: SQLite's own
}

// writeReq is one write waiting for, or being run by, a leader.
type writeReq struct {
	ctx   context.Context
	kind  writeKind
	args  []any
	state atomic.Int32 // reqPending, reqTaken or reqAbandoned
	n     int64
	err   error
	done  chan struct{}
}

const (
	reqPending int32 = iota
	reqTaken
	reqAbandoned
)

// take claims r for running; false if its caller gave up first.
func (r *writeReq) take() bool { return r.state.CompareAndSwap(reqPending, reqTaken) }

// abandon gives r up; false if a leader has already taken it.
func (r *writeReq) abandon() bool { return r.state.CompareAndSwap(reqPending, reqAbandoned) }

func (r *writeReq) finish(n int64, err error) {
	r.n, r.err = n, err
	close(r.done)
}

// startGroupWrites dedicates one connection of db to writing and prepares
// every write statement on it (the owner index's too when owner is set).
func startGroupWrites(ctx context.Context, db *sql.DB, q queries, owner bool) (*groupWrites, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	g := &groupWrites{conn: conn, stmts: map[writeKind]*sql.Stmt{}}
	for kind, query := range q.writes(owner) {
		st, err := conn.PrepareContext(ctx, query)
		if err != nil {
			g.closeStmts()
			conn.Close()
			return nil, fmt.Errorf("prepare %s: %w", kind, err)
		}
		g.stmts[kind] = st
	}
	return g, nil
}

// exec queues one write, leads if nobody is, and waits for the result. If
// ctx ends before a leader has taken the write, it never runs; once taken,
// exec waits for the outcome (the statement itself watches ctx), so an
// error always means nothing was written.
func (g *groupWrites) exec(ctx context.Context, kind writeKind, args ...any) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	r := &writeReq{ctx: ctx, kind: kind, args: args, done: make(chan struct{})}
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		return 0, store.ErrClosed
	}
	g.queue = append(g.queue, r)
	g.mu.Unlock()

	g.leadWhileQueued()

	select {
	case <-r.done:
		return r.n, r.err
	case <-ctx.Done():
		if r.abandon() {
			return 0, ctx.Err()
		}
		<-r.done
		return r.n, r.err
	}
}

// leadWhileQueued runs the queue if no one else is. After letting go of
// the lead it looks once more, so that a write queued by a caller who
// found the lead taken a moment before is never left waiting.
func (g *groupWrites) leadWhileQueued() {
	for g.lead.TryLock() {
		g.leading.Store(true)
		for {
			batch := g.takeQueue()
			if len(batch) == 0 {
				break
			}
			g.run(batch)
		}
		g.leading.Store(false)
		g.lead.Unlock()
		if g.queued() == 0 {
			return
		}
	}
}

// wrote tells the checkpointer, if any, that the WAL grew.
func (g *groupWrites) wrote() {
	if g.checkpoints != nil {
		g.checkpoints.written()
	}
}

func (g *groupWrites) takeQueue() []*writeReq {
	g.mu.Lock()
	defer g.mu.Unlock()
	n := min(len(g.queue), maxGroup)
	batch := g.queue[:n:n]
	g.queue = g.queue[n:]
	if len(g.queue) == 0 {
		g.queue = nil
	}
	return batch
}

func (g *groupWrites) queued() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.queue)
}

// run executes a batch: alone when only one write is live, else in one
// transaction.
func (g *groupWrites) run(batch []*writeReq) {
	live := batch[:0]
	for _, r := range batch {
		if r.take() {
			live = append(live, r)
		}
	}
	switch len(live) {
	case 0:
		return
	case 1:
		g.runAlone(live[0])
		return
	}
	g.groups.Add(1)
	bg := context.Background()
	if _, err := g.conn.ExecContext(bg, "BEGIN IMMEDIATE"); err != nil {
		for _, r := range live {
			g.runAlone(r)
		}
		return
	}
	for i, r := range live {
		res, err := g.stmts[r.kind].ExecContext(r.ctx, r.args...)
		if err == nil {
			r.n, err = res.RowsAffected()
		}
		if err != nil {
			// Undo the group; the failed write reports its error, the
			// others run again on their own.
			_, _ = g.conn.ExecContext(bg, "ROLLBACK")
			r.finish(0, err)
			for j, other := range live {
				if j != i {
					g.runAlone(other)
				}
			}
			return
		}
	}
	if _, err := g.conn.ExecContext(bg, "COMMIT"); err != nil {
		_, _ = g.conn.ExecContext(bg, "ROLLBACK")
		for _, r := range live {
			r.finish(0, err)
		}
		return
	}
	g.grouped.Add(int64(len(live)))
	g.wrote()
	for _, r := range live {
		r.finish(r.n, nil)
	}
}

func (g *groupWrites) runAlone(r *writeReq) {
	res, err := g.stmts[r.kind].ExecContext(r.ctx, r.args...)
	if err != nil {
		r.finish(0, err)
		return
	}
	g.wrote()
	n, err := res.RowsAffected()
	r.finish(n, err)
}

// busy reports whether a leader is running writes at this moment.
func (g *groupWrites) busy() bool { return g.leading.Load() }

// close waits for the current leader, fails the writes still queued with
// store.ErrClosed, and releases the connection. Later writes fail with
// store.ErrClosed.
func (g *groupWrites) close() error {
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		return nil
	}
	g.closed = true
	g.mu.Unlock()

	g.lead.Lock()
	defer g.lead.Unlock()
	for _, r := range g.takeAll() {
		if r.take() {
			r.finish(0, store.ErrClosed)
		}
	}
	errs := []error{g.closeStmts(), g.conn.Close()}
	if g.checkpoints != nil {
		errs = append(errs, g.checkpoints.close())
	}
	return errors.Join(errs...)
}

func (g *groupWrites) takeAll() []*writeReq {
	g.mu.Lock()
	defer g.mu.Unlock()
	q := g.queue
	g.queue = nil
	return q
}

func (g *groupWrites) closeStmts() error {
	var errs []error
	for _, st := range g.stmts {
		errs = append(errs, st.Close())
	}
	return errors.Join(errs...)
}
