package sqlitestore

import (
	"context"
	"database/sql"
	"time"

	"github.com/sessionsql/sessionsql"
)

func (d *driver) CommitOwned(ctx context.Context, token string, data []byte, expiry time.Time, owner sessionsql.Owner, now time.Time) (bool, error) {
	var ownerID, device any // NULL unless set
	if owner.ID != "" {
		ownerID = owner.ID
		if owner.Device != "" {
			device = owner.Device
		}
	}
	n, err := d.writes.exec(ctx, writeSameOwner, token, data, expiry.UnixMilli(), ownerID, device, now.UnixMilli())
	if err != nil || n > 0 {
		return n > 0, err
	}
	// The row belongs to another owner (or to none) now: a login or a
	// logout that kept the token; or it is a tombstone, which neither
	// statement writes over.
	n, err = d.writes.exec(ctx, writeCommitOwned, token, data, expiry.UnixMilli(), ownerID, device, now.UnixMilli())
	return n > 0, err
}

func (d *driver) OwnerRows(ctx context.Context, owner string, now time.Time) ([]sessionsql.OwnedRow, error) {
	rows, err := d.reader.QueryContext(ctx, d.q.ownerRows, owner, now.UnixMilli())
	return collectRows(rows, err, func(rows *sql.Rows) (sessionsql.OwnedRow, error) {
		var r sessionsql.OwnedRow
		var created, lastSeen sql.NullInt64
		var expiry int64
		err := rows.Scan(&r.Token, &r.Device, &created, &lastSeen, &expiry)
		r.Created, r.LastSeen, r.Expiry = unixMilli(created), unixMilli(lastSeen), time.UnixMilli(expiry)
		return r, err
	})
}

// collectRows scans every row of a query with scan, closing rows; err is
// the query's own error.
func collectRows[T any](rows *sql.Rows, err error, scan func(*sql.Rows) (T, error)) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// unixMilli is the time a nullable unix-millisecond column holds; the zero
// time for NULL.
func unixMilli(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.UnixMilli(v.Int64)
}

// DeleteOwner and DeleteOwned run two statements, each its own
// transaction: tombstones for the expired rows, then for the live ones,
// which they count. A row that expires in between is counted as live.

func (d *driver) DeleteOwner(ctx context.Context, owner, keep string, now time.Time, grace time.Duration) (int64, error) {
	args := []any{owner, now.UnixMilli(), grace.Milliseconds(), keep}
	if _, err := d.writes.exec(ctx, writeOwnerExpired, args...); err != nil {
		return 0, err
	}
	return d.writes.exec(ctx, writeDeleteOwner, args...)
}

func (d *driver) DeleteOwned(ctx context.Context, owner, token string, now time.Time, grace time.Duration) (int64, error) {
	args := []any{owner, now.UnixMilli(), grace.Milliseconds(), token}
	if _, err := d.writes.exec(ctx, writeOwnedExpired, args...); err != nil {
		return 0, err
	}
	return d.writes.exec(ctx, writeDeleteOwned, args...)
}

func (d *driver) UnownedRows(ctx context.Context, now time.Time, after string, limit int) ([]sessionsql.UnownedRow, error) {
	rows, err := d.reader.QueryContext(ctx, d.q.unownedRows, now.UnixMilli(), after, limit)
	return collectRows(rows, err, func(rows *sql.Rows) (sessionsql.UnownedRow, error) {
		var r sessionsql.UnownedRow
		err := rows.Scan(&r.Token, &r.Data)
		return r, err
	})
}

func (d *driver) SetOwner(ctx context.Context, token string, data []byte, owner sessionsql.Owner, now time.Time) (int64, error) {
	var device any
	if owner.Device != "" {
		device = owner.Device
	}
	return d.writes.exec(ctx, writeSetOwner, token, owner.ID, device, now.UnixMilli(), data)
}
