package postgresstore

import (
	"context"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/sessionsql/sessionsql/store"
)

// driver runs the store's SQL over a pgx pool. The checks around it live
// in storecore. Finds, commits and deletes each go through a group, which
// runs them together when they arrive faster than their statements finish.
type driver struct {
	pool   *pgxpool.Pool
	q      queries
	table  string // quoted, for the reaper lock's regclass
	owned  bool   // the owner index is on: commits write its columns
	direct bool   // Finds of their own run over pgconn (see findDirect)

	finds, commits, deletes *group
	grouped                 atomic.Int64 // operations written or read by a shared statement

	mu     sync.Mutex
	cursor time.Time // where the current cleanup run's next batch starts
}

// write runs one writing statement on a connection of its own. When the
// context ends first, pgx abandons the connection and cancels the statement
// in the background, but until that cancel lands the server may still be
// running it (waiting for a row lock, say), and it could complete after
// newer writes: a Commit that "failed" would overwrite the next request's
// session, or bring back one deleted at logout. So write sends the cancel
// itself and returns only once the server has it.
func (d *driver) write(ctx context.Context, run func(*pgxpool.Conn) error) error {
	conn, err := d.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	err = run(conn)
	if err != nil && ctx.Err() != nil {
		cancelCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cancelTimeout)
		defer cancel()
		_ = conn.Conn().PgConn().CancelRequest(cancelCtx)
	}
	return err
}

// cancelTimeout bounds the cancel request write sends for an abandoned
// statement.
const cancelTimeout = 2 * time.Second

// newDriver returns the driver of a store, with slots statements of each
// kind in flight at most (slots < 0: no limit, every operation alone).
func newDriver(pool *pgxpool.Pool, q queries, table string, owned bool, slots int) *driver {
	d := &driver{pool: pool, q: q, table: table, owned: owned, direct: directFinds(pool)}
	if slots < 0 {
		slots = math.MaxInt
	}
	d.finds = &group{slots: slots, run: d.runFinds, alone: d.findOne}
	d.commits = &group{slots: slots, run: d.runCommits, alone: d.commitOne}
	d.deletes = &group{slots: slots, run: d.runDeletes, alone: d.deleteOne}
	return d
}

// Grouped is how many operations a statement shared with others carried
// out.
func (d *driver) Grouped() int64 { return d.grouped.Load() }

func (d *driver) All(ctx context.Context, now time.Time) (map[string][]byte, error) {
	rows, err := d.pool.Query(ctx, d.q.all, now)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	sessions := make(map[string][]byte)
	for rows.Next() {
		var token string
		var data []byte
		if err := rows.Scan(&token, &data); err != nil {
			return nil, err
		}
		sessions[token] = data
	}
	return sessions, rows.Err()
}

// DeleteExpired runs one batch as a single statement (see queries.go):
// when another instance holds the table's reaper lock it deletes nothing
// and returns store.ErrLockHeld. After a full batch it remembers the last
// expiry it deleted, and the next batch starts its index scan there; a
// short batch (the end of a run) or a held lock forgets it, so every run
// starts from the oldest row. Rows committed behind the cursor during a
// run (with an older expiry than it) are not lost either: a batch from
// the cursor that comes back short is topped up from the oldest row before
// it is reported.
func (d *driver) DeleteExpired(ctx context.Context, now time.Time, limit int) (int64, error) {
	d.mu.Lock()
	from := d.cursor
	d.mu.Unlock()
	got, deleted, last, err := d.deleteBatch(ctx, now, limit, from)
	if err == nil && got && !from.IsZero() && (limit <= 0 || deleted < int64(limit)) {
		rest := 0 // no limit
		if limit > 0 {
			rest = limit - int(deleted)
		}
		var more int64
		if got, more, _, err = d.deleteBatch(ctx, now, rest, time.Time{}); err == nil && got {
			deleted += more
		}
		err = nil // the first batch's rows are deleted: report them
		last = nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	switch {
	case err != nil:
		d.cursor = time.Time{}
		return 0, err
	case !got && deleted == 0:
		d.cursor = time.Time{}
		return 0, store.ErrLockHeld
	case limit > 0 && deleted >= int64(limit) && last != nil:
		d.cursor = *last
	default:
		d.cursor = time.Time{}
	}
	return deleted, nil
}

// deleteBatch runs the batch statement from the cursor from (the zero time:
// from the oldest row). got is false when another instance held the lock.
func (d *driver) deleteBatch(ctx context.Context, now time.Time, limit int, from time.Time) (got bool, deleted int64, last *time.Time, err error) {
	var batch *int // nil: no limit
	if limit > 0 {
		batch = &limit
	}
	err = d.write(ctx, func(c *pgxpool.Conn) error {
		return c.QueryRow(ctx, d.q.deleteExpired, now, batch, reaperLockClass, d.table, from).Scan(&got, &deleted, &last)
	})
	return got, deleted, last, err
}
