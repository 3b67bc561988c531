package postgresstore

import (
	"context"
	"sync"

	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
)

func (d *driver) Delete(ctx context.Context, token string) error {
	op := deleteOpPool.Get().(*deleteOp)
	op.ctx = ctx
	op.token = pgtype.Text{String: token, Valid: true}
	if !d.deletes.do(&op.member) {
		return ctx.Err() // gave up in the queue, undeleted; op stays there
	}
	err := op.err
	op.release()
	return err
}

// deleteOp is one Delete and its place in the delete group; pooled.
type deleteOp struct {
	member
	token pgtype.Text
}

var deleteOpPool = sync.Pool{New: func() any {
	op := &deleteOp{}
	op.init(op)
	return op
}}

func (op *deleteOp) release() {
	op.ctx, op.token, op.err = nil, pgtype.Text{}, nil
	deleteOpPool.Put(op)
}

// runDeletes is the delete group's statement: one op's own DELETE, or one
// for the tokens of all of them.
func (d *driver) runDeletes(ctx context.Context, ms []*member) {
	if len(ms) == 1 {
		d.deleteOne(ctx, ms[0])
		return
	}
	tokens := make(pgtype.FlatArray[*pgtype.Text], len(ms))
	for i, m := range ms {
		tokens[i] = &m.op.(*deleteOp).token
	}
	err := d.write(ctx, func(c *pgxpool.Conn) error {
		_, err := c.Exec(ctx, d.q.deleteMany, &tokens)
		return err
	})
	settle(ctx, ms, err, &d.grouped)
}

// deleteOne runs m's Delete as a statement of its own.
func (d *driver) deleteOne(ctx context.Context, m *member) {
	token := &m.op.(*deleteOp).token
	m.err = d.write(ctx, func(c *pgxpool.Conn) error {
		_, err := c.Exec(ctx, d.q.delete, token)
		return err
	})
}
