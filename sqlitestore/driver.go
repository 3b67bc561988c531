package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// driver runs the store's SQL through database/sql: writes on the writer
// handle, reads on the reader handle. Expiry is INTEGER unix milliseconds.
// The checks around it live in storecore.
type driver struct {
	reader *sql.DB
	q      queries
	// Prepared on first use: every request runs one of them, a store with
	// a touch threshold the one that reads the expiry too.
	find, findWithExpiry *stmt
	writes               writer // every write goes through it
}

func (d *driver) Find(ctx context.Context, token string, now time.Time, wantExpiry bool) ([]byte, time.Time, bool, error) {
	var data []byte
	if !wantExpiry {
		found, err := findRow(ctx, d.find, token, now, &data)
		return data, time.Time{}, found, err
	}
	var expiry int64
	found, err := findRow(ctx, d.findWithExpiry, token, now, &data, &expiry)
	return data, time.UnixMilli(expiry), found, err
}

// findRow runs one of the Find statements and scans its row into dest;
// found is false, with a nil error, when there is no live row.
func findRow(ctx context.Context, find *stmt, token string, now time.Time, dest ...any) (found bool, err error) {
	st, err := find.get(ctx)
	if err != nil {
		return false, err
	}
	err = st.QueryRowContext(ctx, token, now.UnixMilli()).Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

func (d *driver) Commit(ctx context.Context, token string, data []byte, expiry time.Time) error {
	_, err := d.writes.exec(ctx, writeCommit, token, data, expiry.UnixMilli())
	return err
}

func (d *driver) Delete(ctx context.Context, token string) error {
	_, err := d.writes.exec(ctx, writeDelete, token)
	return err
}

func (d *driver) All(ctx context.Context, now time.Time) (map[string][]byte, error) {
	rows, err := d.reader.QueryContext(ctx, d.q.all, now.UnixMilli())
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
		if data == nil {
			data = []byte{}
		}
		sessions[token] = data
	}
	return sessions, rows.Err()
}

// DeleteExpired runs one DELETE, which is its own short transaction (or
// part of a group commit's); the expiry test inside it is evaluated at
// delete time.
func (d *driver) DeleteExpired(ctx context.Context, now time.Time, limit int) (int64, error) {
	if limit > 0 {
		return d.writes.exec(ctx, writeExpiredBatch, now.UnixMilli(), limit)
	}
	return d.writes.exec(ctx, writeExpiredAllNow, now.UnixMilli())
}

// Grouped is how many writes were committed in a transaction shared with
// others (group commit; stores from Open only).
func (d *driver) Grouped() int64 {
	if g, ok := d.writes.(*groupWrites); ok {
		return g.grouped.Load()
	}
	return 0
}

func (d *driver) close() error {
	return errors.Join(d.find.close(), d.findWithExpiry.close(), d.writes.close())
}
