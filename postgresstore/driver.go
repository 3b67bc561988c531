package postgresstore

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/sessionsql/sessionsql/store"
)

// driver runs the store's SQL over a pgx pool. The checks around it live
// in storecore.
type driver struct {
	pool  *pgxpool.Pool
	q     queries
	table string // quoted, for the reaper lock's regclass
}

func (d *driver) Find(ctx context.Context, token string, now time.Time) ([]byte, bool, error) {
	var data []byte
	err := d.pool.QueryRow(ctx, d.q.find, token, now).Scan(&data)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	}
	return data, err == nil, err
}

func (d *driver) Commit(ctx context.Context, token string, data []byte, expiry time.Time) error {
	_, err := d.pool.Exec(ctx, d.q.commit, token, data, expiry)
	return err
}

func (d *driver) Delete(ctx context.Context, token string) error {
	_, err := d.pool.Exec(ctx, d.q.delete, token)
	return err
}

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

// DeleteExpired runs one batch in its own short transaction. The
// transaction first takes a transaction-scoped advisory lock on the table;
// when another instance holds it, nothing is deleted and the error is
// store.ErrLockHeld. Rows a live request has locked are skipped (FOR UPDATE
// SKIP LOCKED) and expiry is checked again at delete time, so a session
// extended a moment ago is never deleted.
func (d *driver) DeleteExpired(ctx context.Context, now time.Time, limit int) (int64, error) {
	var deleted int64
	err := pgx.BeginFunc(ctx, d.pool, func(tx pgx.Tx) error {
		var got bool
		if err := tx.QueryRow(ctx, d.q.tryReaperLock, reaperLockClass, d.table).Scan(&got); err != nil {
			return err
		}
		if !got {
			return store.ErrLockHeld
		}
		var tag pgconn.CommandTag
		var err error
		if limit > 0 {
			tag, err = tx.Exec(ctx, d.q.deleteExpiredBatch, now, limit)
		} else {
			tag, err = tx.Exec(ctx, d.q.deleteExpiredAll, now)
		}
		deleted = tag.RowsAffected()
		return err
	})
	if err != nil {
		return 0, err
	}
	return deleted, nil
}
