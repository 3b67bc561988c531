package postgresstore

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/sessionsql/sessionsql/internal/batch"
)

// deleteReq is one Delete: its tombstone lasts until the later of the
// session's expiry and now, plus grace.
type deleteReq struct {
	token pgtype.Text
	now   pgtype.Timestamptz
	grace int64 // in microseconds, the statement's unit
}

type deleteOp = batch.Op[deleteReq]

// Delete runs through the delete batcher. An op that gave up in the queue
// deleted nothing.
func (d *driver) Delete(ctx context.Context, token string, now time.Time, grace time.Duration) error {
	op := batch.NewOp[deleteReq]()
	op.Ctx = ctx
	op.Req = deleteReq{
		token: pgtype.Text{String: token, Valid: true},
		now:   pgtype.Timestamptz{Time: now, Valid: true},
		grace: grace.Microseconds(),
	}
	d.deletes.Do(op)
	return op.Err
}

// runDeletes is the delete batcher's statement: one op's own tombstone
// upsert, or one for the tokens of all of them, in token order and each
// once, with the latest now and longest grace among them (one store's
// clock read moments apart, and its one grace).
func (d *driver) runDeletes(ctx context.Context, ops []*deleteOp) {
	if len(ops) == 1 {
		d.deleteOne(ctx, ops[0])
		return
	}
	reqs := make([]*deleteReq, len(ops))
	for i, op := range ops {
		reqs[i] = &op.Req
	}
	slices.SortFunc(reqs, func(x, y *deleteReq) int { return cmp.Compare(x.token.String, y.token.String) })
	tokens := make(pgtype.FlatArray[*pgtype.Text], 0, len(reqs))
	now, grace := reqs[0].now, reqs[0].grace
	for i, r := range reqs {
		if r.now.Time.After(now.Time) {
			now = r.now
		}
		grace = max(grace, r.grace)
		if i > 0 && reqs[i-1].token.String == r.token.String {
			continue
		}
		tokens = append(tokens, &r.token)
	}
	err := d.write(ctx, func(c *pgxpool.Conn) error {
		_, err := c.Exec(ctx, d.q.deleteMany, &tokens, &now, grace)
		return err
	})
	settle(d, ctx, ops, err)
}

// deleteOne runs op's Delete as a statement of its own.
func (d *driver) deleteOne(ctx context.Context, op *deleteOp) {
	r := &op.Req
	op.Err = d.write(ctx, func(c *pgxpool.Conn) error {
		_, err := c.Exec(ctx, d.q.delete, &r.token, &r.now, r.grace)
		return err
	})
}
