package postgresstore

import (
	"cmp"
	"context"
	sqldriver "database/sql/driver"
	"slices"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/sessionsql/sessionsql/store"
)

func (d *driver) Commit(ctx context.Context, token string, data []byte, expiry time.Time) error {
	op := commitOpPool.Get().(*commitOp)
	op.set(ctx, token, data, expiry)
	return d.commit(op)
}

func (d *driver) CommitOwned(ctx context.Context, token string, data []byte, expiry time.Time, owner store.Owner, now time.Time) error {
	op := commitOpPool.Get().(*commitOp)
	op.set(ctx, token, data, expiry)
	op.owner = pgtype.Text{String: owner.ID, Valid: owner.ID != ""}
	op.device = pgtype.Text{String: owner.Device, Valid: owner.ID != "" && owner.Device != ""}
	op.now = pgtype.Timestamptz{Time: now, Valid: true}
	return d.commit(op)
}

// commit runs op through the commit group.
func (d *driver) commit(op *commitOp) error {
	if !d.commits.do(&op.member) {
		return op.ctx.Err() // gave up in the queue, unwritten; op stays there
	}
	err := op.err
	op.release()
	return err
}

// commitOp is one Commit (with the owner columns when the owner index is
// on): its parameters, its outcome and its place in the commit group;
// pooled, so that none of its parameters is boxed on the heap (see findOp).
type commitOp struct {
	member
	token         pgtype.Text
	data          bytesArg
	expiry        pgtype.Timestamptz
	owner, device pgtype.Text
	now           pgtype.Timestamptz
	args          [6]any // the single-row statement's: 3 of them without the owner index
}

// bytesArg hands pgx a byte slice through a pointer. As a BytesValuer it
// is encoded without boxing the slice wherever pgx knows the parameter is
// a bytea (every exec mode that prepares or describes its statements); as
// a driver.Valuer, where it does not (QueryExecModeExec and the simple
// protocol), pgx encodes the []byte it returns as a bytea.
type bytesArg struct{ b []byte }

func (a *bytesArg) BytesValue() ([]byte, error) { return a.b, nil }

func (a *bytesArg) Value() (sqldriver.Value, error) { return a.b, nil }

var commitOpPool = sync.Pool{New: func() any {
	op := &commitOp{}
	op.init(op)
	op.args = [6]any{&op.token, &op.data, &op.expiry, &op.owner, &op.device, &op.now}
	return op
}}

func (op *commitOp) set(ctx context.Context, token string, data []byte, expiry time.Time) {
	op.ctx = ctx
	op.token = pgtype.Text{String: token, Valid: true}
	op.data.b = data
	op.expiry = pgtype.Timestamptz{Time: expiry, Valid: true}
}

func (op *commitOp) release() {
	op.ctx, op.token, op.data.b, op.owner, op.device, op.err = nil, pgtype.Text{}, nil, pgtype.Text{}, pgtype.Text{}, nil
	commitOpPool.Put(op)
}

// maxGroupBytes bounds the session data one grouped Commit sends.
const maxGroupBytes = 4 << 20

// runCommits is the commit group's statement: one op's own upsert, or
// upserts of several at once, as few as fit maxGroupBytes.
func (d *driver) runCommits(ctx context.Context, ms []*member) {
	for len(ms) > 0 {
		n, size := 1, len(ms[0].op.(*commitOp).data.b)
		for n < len(ms) && size+len(ms[n].op.(*commitOp).data.b) <= maxGroupBytes {
			size += len(ms[n].op.(*commitOp).data.b)
			n++
		}
		if n == 1 {
			d.commitOne(ctx, ms[0])
		} else {
			d.commitMany(ctx, ms[:n])
		}
		ms = ms[n:]
	}
}

// commitMany upserts the sessions of ms in one statement.
func (d *driver) commitMany(ctx context.Context, ms []*member) {
	b := commitBatchPool.Get().(*commitBatch)
	defer b.release()
	for _, m := range ms {
		b.ops = append(b.ops, m.op.(*commitOp))
	}
	// Rows are locked in token order (bytewise, as COLLATE "C" sorts), the
	// order every statement of the store that locks several rows follows,
	// so that none of them waits for another's rows in a cycle. Of two
	// Commits of one token the later one is written; both succeed, as if
	// the earlier had been overwritten at once.
	slices.SortStableFunc(b.ops, func(x, y *commitOp) int { return cmp.Compare(x.token.String, y.token.String) })
	for i, op := range b.ops {
		if i+1 < len(b.ops) && b.ops[i+1].token.String == op.token.String {
			continue
		}
		b.tokens = append(b.tokens, &op.token)
		b.data = append(b.data, &op.data.b)
		b.expiries = append(b.expiries, &op.expiry)
		b.owners = append(b.owners, &op.owner)
		b.devices = append(b.devices, &op.device)
		b.nows = append(b.nows, &op.now)
	}
	err := d.write(ctx, func(c *pgxpool.Conn) error {
		var err error
		if d.owned {
			_, err = c.Exec(ctx, d.q.commitOwnedMany, &b.tokens, &b.data, &b.expiries, &b.owners, &b.devices, &b.nows)
		} else {
			_, err = c.Exec(ctx, d.q.commitMany, &b.tokens, &b.data, &b.expiries)
		}
		return err
	})
	settle(ctx, ms, err, &d.grouped)
}

// commitOne runs m's Commit as an upsert of its own.
func (d *driver) commitOne(ctx context.Context, m *member) {
	op := m.op.(*commitOp)
	m.err = d.write(ctx, func(c *pgxpool.Conn) error {
		var err error
		if d.owned {
			_, err = c.Exec(ctx, d.q.commitOwned, op.args[:]...)
		} else {
			_, err = c.Exec(ctx, d.q.commit, op.args[:3]...)
		}
		return err
	})
}

// commitBatch is the scratch space of one grouped Commit, pooled.
type commitBatch struct {
	ops            []*commitOp
	tokens         pgtype.FlatArray[*pgtype.Text]
	data           pgtype.FlatArray[*[]byte] // a type pgx knows in every exec mode, unlike *bytesArg
	expiries, nows pgtype.FlatArray[*pgtype.Timestamptz]
	owners         pgtype.FlatArray[*pgtype.Text]
	devices        pgtype.FlatArray[*pgtype.Text]
}

var commitBatchPool = sync.Pool{New: func() any { return &commitBatch{} }}

func (b *commitBatch) release() {
	reset(&b.ops)
	reset(&b.tokens)
	reset(&b.data)
	reset(&b.expiries)
	reset(&b.owners)
	reset(&b.devices)
	reset(&b.nows)
	commitBatchPool.Put(b)
}

// reset empties s for reuse, keeping its capacity and dropping its pointers.
func reset[S ~[]E, E any](s *S) {
	clear(*s)
	*s = (*s)[:0]
}
