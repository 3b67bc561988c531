package postgresstore

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/sessionsql/sessionsql"
)

func (d *driver) OwnerRows(ctx context.Context, owner string, now time.Time) ([]sessionsql.OwnedRow, error) {
	rows, err := d.pool.Query(ctx, d.q.ownerRows, owner, now)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (sessionsql.OwnedRow, error) {
		var r sessionsql.OwnedRow
		var created, lastSeen pgtype.Timestamptz
		err := row.Scan(&r.Token, &r.Device, &created, &lastSeen, &r.Expiry)
		r.Created, r.LastSeen = created.Time, lastSeen.Time
		return r, err
	})
}

func (d *driver) DeleteOwner(ctx context.Context, owner, keep string, now time.Time, grace time.Duration) (int64, error) {
	var live int64
	err := d.write(ctx, func(c *pgxpool.Conn) error {
		return c.QueryRow(ctx, d.q.deleteOwner, owner, keep, now, grace.Microseconds()).Scan(&live)
	})
	return live, err
}

func (d *driver) DeleteOwned(ctx context.Context, owner, token string, now time.Time, grace time.Duration) (int64, error) {
	var live int64
	err := d.write(ctx, func(c *pgxpool.Conn) error {
		return c.QueryRow(ctx, d.q.deleteOwned, owner, token, now, grace.Microseconds()).Scan(&live)
	})
	return live, err
}

// execRows runs a writing statement and reports the rows it touched.
func (d *driver) execRows(ctx context.Context, query string, args ...any) (int64, error) {
	var n int64
	err := d.write(ctx, func(c *pgxpool.Conn) error {
		tag, err := c.Exec(ctx, query, args...)
		n = tag.RowsAffected()
		return err
	})
	return n, err
}

func (d *driver) UnownedRows(ctx context.Context, now time.Time, after string, limit int) ([]sessionsql.UnownedRow, error) {
	rows, err := d.pool.Query(ctx, d.q.unownedRows, now, after, limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (sessionsql.UnownedRow, error) {
		var r sessionsql.UnownedRow
		err := row.Scan(&r.Token, &r.Data)
		return r, err
	})
}

func (d *driver) SetOwner(ctx context.Context, token string, data []byte, owner sessionsql.Owner, now time.Time) (int64, error) {
	device := pgtype.Text{String: owner.Device, Valid: owner.Device != ""}
	return d.execRows(ctx, d.q.setOwner, token, owner.ID, device, now, data)
}
