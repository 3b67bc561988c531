package postgresstore

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/sessionsql/sessionsql/store"
)

// driver runs the store's SQL over a pgx pool. The checks around it live
// in storecore.
type driver struct {
	pool  *pgxpool.Pool
	q     queries
	table string // quoted, for the reaper lock's regclass

	mu     sync.Mutex
	cursor time.Time // where the current cleanup run's next batch starts
}

func (d *driver) Find(ctx context.Context, token string, now time.Time, wantExpiry bool) ([]byte, time.Time, bool, error) {
	a := findArgsPool.Get().(*findArgs)
	defer a.release()
	a.token = pgtype.Text{String: token, Valid: true}
	a.now = pgtype.Timestamptz{Time: now, Valid: true}
	var err error
	if wantExpiry {
		err = d.pool.QueryRow(ctx, d.q.findWithExpiry, a.args[:]...).Scan(a.dest[:]...)
	} else {
		err = d.pool.QueryRow(ctx, d.q.find, a.args[:]...).Scan(a.dest[0])
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, time.Time{}, false, nil
	}
	return a.data, a.expiry, err == nil, err
}

// findArgs holds one Find's parameters and results, reused across calls:
// pgx encodes *pgtype.Text and *pgtype.Timestamptz, and scans into the
// pointers in dest, without boxing anything on the heap, which keeps the
// hottest path of every request at fewer allocations than a plain
// QueryRow(ctx, sql, token).
type findArgs struct {
	token  pgtype.Text
	now    pgtype.Timestamptz
	args   [2]any
	data   []byte
	expiry time.Time
	dest   [2]any
}

var findArgsPool = sync.Pool{New: func() any {
	a := &findArgs{}
	a.args = [2]any{&a.token, &a.now}
	a.dest = [2]any{&a.data, &a.expiry}
	return a
}}

func (a *findArgs) release() {
	a.token, a.data, a.expiry = pgtype.Text{}, nil, time.Time{}
	findArgsPool.Put(a)
}

func (d *driver) Commit(ctx context.Context, token string, data []byte, expiry time.Time) error {
	a := commitArgsPool.Get().(*commitArgs)
	defer a.release()
	a.token = pgtype.Text{String: token, Valid: true}
	a.data.b = data
	a.expiry = pgtype.Timestamptz{Time: expiry, Valid: true}
	return d.write(ctx, func(c *pgxpool.Conn) error {
		_, err := c.Exec(ctx, d.q.commit, a.args[:]...)
		return err
	})
}

// commitArgs holds one Commit's parameters, reused across calls so that
// none of them is boxed on the heap (see findArgs).
type commitArgs struct {
	token  pgtype.Text
	data   bytesArg
	expiry pgtype.Timestamptz
	args   [3]any
}

// bytesArg hands pgx a byte slice through a pointer, as a BytesValuer.
type bytesArg struct{ b []byte }

func (a *bytesArg) BytesValue() ([]byte, error) { return a.b, nil }

var commitArgsPool = sync.Pool{New: func() any {
	a := &commitArgs{}
	a.args = [3]any{&a.token, &a.data, &a.expiry}
	return a
}}

func (a *commitArgs) release() {
	a.token, a.data.b = pgtype.Text{}, nil
	commitArgsPool.Put(a)
}

func (d *driver) Delete(ctx context.Context, token string) error {
	return d.write(ctx, func(c *pgxpool.Conn) error {
		_, err := c.Exec(ctx, d.q.delete, token)
		return err
	})
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
