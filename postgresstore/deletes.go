package postgresstore

import (
	"context"

	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/sessionsql/sessionsql/internal/batch"
)

// deleteReq is one Delete.
type deleteReq struct{ token pgtype.Text }

type deleteOp = batch.Op[deleteReq]

// Delete runs through the delete batcher. An op that gave up in the queue
// deleted nothing.
func (d *driver) Delete(ctx context.Context, token string) error {
	op := batch.NewOp[deleteReq]()
	op.Ctx = ctx
	op.Req.token = pgtype.Text{String: token, Valid: true}
	d.deletes.Do(op)
	return op.Err
}

// runDeletes is the delete batcher's statement: one op's own DELETE, or
// one for the tokens of all of them.
func (d *driver) runDeletes(ctx context.Context, ops []*deleteOp) {
	if len(ops) == 1 {
		d.deleteOne(ctx, ops[0])
		return
	}
	tokens := make(pgtype.FlatArray[*pgtype.Text], len(ops))
	for i, op := range ops {
		tokens[i] = &op.Req.token
	}
	err := d.write(ctx, func(c *pgxpool.Conn) error {
		_, err := c.Exec(ctx, d.q.deleteMany, &tokens)
		return err
	})
	settle(d, ctx, ops, err)
}

// deleteOne runs op's Delete as a statement of its own.
func (d *driver) deleteOne(ctx context.Context, op *deleteOp) {
	token := &op.Req.token
	op.Err = d.write(ctx, func(c *pgxpool.Conn) error {
		_, err := c.Exec(ctx, d.q.delete, token)
		return err
	})
}
