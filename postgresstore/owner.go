package postgresstore

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/sessionsql/sessionsql/internal/storecore"
	"github.com/sessionsql/sessionsql/store"
)

var _ storecore.OwnerDriver = (*driver)(nil)

func (d *driver) OwnerRows(ctx context.Context, owner string, now time.Time) ([]storecore.OwnedRow, error) {
	rows, err := d.pool.Query(ctx, d.q.ownerRows, owner, now)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (storecore.OwnedRow, error) {
		var r storecore.OwnedRow
		var created, lastSeen pgtype.Timestamptz
		err := row.Scan(&r.Token, &r.Device, &created, &lastSeen, &r.Expiry)
		r.Created, r.LastSeen = created.Time, lastSeen.Time
		return r, err
	})
}

func (d *driver) DeleteOwner(ctx context.Context, owner, keep string, now time.Time) (int64, error) {
	var live int64
	err := d.write(ctx, func(c *pgxpool.Conn) error {
		return c.QueryRow(ctx, d.q.deleteOwner, owner, keep, now).Scan(&live)
	})
	return live, err
}

func (d *driver) DeleteOwned(ctx context.Context, owner, token string, now time.Time) (int64, error) {
	var live int64
	err := d.write(ctx, func(c *pgxpool.Conn) error {
		return c.QueryRow(ctx, d.q.deleteOwned, owner, token, now).Scan(&live)
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

func (d *driver) UnownedRows(ctx context.Context, now time.Time, after string, limit int) ([]storecore.UnownedRow, error) {
	rows, err := d.pool.Query(ctx, d.q.unownedRows, now, after, limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (storecore.UnownedRow, error) {
		var r storecore.UnownedRow
		err := row.Scan(&r.Token, &r.Data)
		return r, err
	})
}

func (d *driver) SetOwner(ctx context.Context, token string, data []byte, owner store.Owner, now time.Time) (int64, error) {
	device := pgtype.Text{String: owner.Device, Valid: owner.Device != ""}
	return d.execRows(ctx, d.q.setOwner, token, owner.ID, device, now, data)
}
