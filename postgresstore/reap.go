package postgresstore

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/sessionsql/sessionsql"
)

// DeleteExpired runs one batch as a single statement (see queries.go):
// when another instance holds the table's reaper lock it deletes nothing
// and returns sessionsql.ErrLockHeld. After a full batch it remembers the
// last expiry it deleted, and the next batch starts its index scan there;
// a short batch (the end of a run) or a held lock forgets it, so every
// run starts from the oldest row. Rows committed behind the cursor during
// a run (with an older expiry than it) are not lost either: a batch from
// the cursor that comes back short is topped up from the oldest row
// before it is reported.
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
		return 0, sessionsql.ErrLockHeld
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
		return c.QueryRow(ctx, d.q.deleteExpired, now, batch, reaperLockClass, d.table.Quoted(), from).Scan(&got, &deleted, &last)
	})
	return got, deleted, last, err
}
