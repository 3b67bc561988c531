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
	writer, reader *sql.DB
	q              queries
}

func (d *driver) Find(ctx context.Context, token string, now time.Time) ([]byte, bool, error) {
	var data []byte
	err := d.reader.QueryRowContext(ctx, d.q.find, token, now.UnixMilli()).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	return data, err == nil, err
}

func (d *driver) Commit(ctx context.Context, token string, data []byte, expiry time.Time) error {
	_, err := d.writer.ExecContext(ctx, d.q.commit, token, data, expiry.UnixMilli())
	return err
}

func (d *driver) Delete(ctx context.Context, token string) error {
	_, err := d.writer.ExecContext(ctx, d.q.delete, token)
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

// DeleteExpired runs one DELETE, which is its own short transaction; the
// expiry test inside it is evaluated at delete time.
func (d *driver) DeleteExpired(ctx context.Context, now time.Time, limit int) (int64, error) {
	query, args := d.q.deleteExpiredAll, []any{now.UnixMilli()}
	if limit > 0 {
		query, args = d.q.deleteExpiredBatch, append(args, limit)
	}
	res, err := d.writer.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
