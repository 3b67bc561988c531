package postgresstore

import (
	"cmp"
	"context"
	sqldriver "database/sql/driver"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/sessionsql/sessionsql"
	"github.com/sessionsql/sessionsql/internal/batch"
)

func (d *driver) Commit(ctx context.Context, token string, data []byte, expiry time.Time) (bool, error) {
	op := newCommitOp()
	op.Req.set(token, data, expiry)
	return d.commit(ctx, op)
}

func (d *driver) CommitOwned(ctx context.Context, token string, data []byte, expiry time.Time, owner sessionsql.Owner, now time.Time) (bool, error) {
	op := newCommitOp()
	r := &op.Req
	r.set(token, data, expiry)
	r.owner = pgtype.Text{String: owner.ID, Valid: owner.ID != ""}
	r.device = pgtype.Text{String: owner.Device, Valid: owner.ID != "" && owner.Device != ""}
	r.now = pgtype.Timestamptz{Time: now, Valid: true}
	return d.commit(ctx, op)
}

// commit runs op through the commit batcher and reports whether it
// wrote. An op that gave up in the queue was not written.
func (d *driver) commit(ctx context.Context, op *commitOp) (bool, error) {
	op.Ctx = ctx
	d.commits.Do(op)
	return op.Req.wrote, op.Err
}

// commitReq is one Commit (with the owner columns when the owner index is
// on). Its args point at its own fields, so that none of its parameters is
// boxed on the heap. Unlike a Find's, its op is not pooled: pooling saved
// a Commit 3 of its 8 allocations and no time that a paired benchmark
// could tell apart (0.97x to 1.05x).
type commitReq struct {
	token         pgtype.Text
	data          bytesArg
	expiry        pgtype.Timestamptz
	owner, device pgtype.Text
	now           pgtype.Timestamptz
	args          [6]any // the single-row statement's: 3 of them without the owner index
	wrote         bool   // the statement wrote it: the token was no tombstone's
}

type commitOp = batch.Op[commitReq]

// bytesArg hands pgx a byte slice through a pointer. As a BytesValuer it
// is encoded without boxing the slice wherever pgx knows the parameter is
// a bytea (every exec mode that prepares or describes its statements); as
// a driver.Valuer, where it does not (QueryExecModeExec and the simple
// protocol), pgx encodes the []byte it returns as a bytea.
type bytesArg struct{ b []byte }

func (a *bytesArg) BytesValue() ([]byte, error) { return a.b, nil }

func (a *bytesArg) Value() (sqldriver.Value, error) { return a.b, nil }

func newCommitOp() *commitOp {
	op := batch.NewOp[commitReq]()
	r := &op.Req
	r.args = [6]any{&r.token, &r.data, &r.expiry, &r.owner, &r.device, &r.now}
	return op
}

func (r *commitReq) set(token string, data []byte, expiry time.Time) {
	r.token = pgtype.Text{String: token, Valid: true}
	r.data.b = data
	r.expiry = pgtype.Timestamptz{Time: expiry, Valid: true}
}

// maxGroupBytes bounds the session data one grouped Commit sends.
const maxGroupBytes = 4 << 20

// runCommits is the commit group's statement: one op's own upsert, or
// upserts of several at once, as few as fit maxGroupBytes.
func (d *driver) runCommits(ctx context.Context, ops []*commitOp) {
	for len(ops) > 0 {
		n, size := 1, len(ops[0].Req.data.b)
		for n < len(ops) && size+len(ops[n].Req.data.b) <= maxGroupBytes {
			size += len(ops[n].Req.data.b)
			n++
		}
		if n == 1 {
			d.commitOne(ctx, ops[0])
		} else {
			d.commitMany(ctx, ops[:n])
		}
		ops = ops[n:]
	}
}

// commitMany upserts the sessions of ops in one statement.
func (d *driver) commitMany(ctx context.Context, ops []*commitOp) {
	b := newCommitBatch(len(ops))
	for _, op := range ops {
		b.reqs = append(b.reqs, &op.Req)
	}
	// Rows are locked in token order (bytewise, as COLLATE "C" sorts), the
	// order every statement of the store that locks several rows follows,
	// so that none of them waits for another's rows in a cycle. Of two
	// Commits of one token the later one is written; both succeed, as if
	// the earlier had been overwritten at once.
	slices.SortStableFunc(b.reqs, func(x, y *commitReq) int { return cmp.Compare(x.token.String, y.token.String) })
	for i, r := range b.reqs {
		if i+1 < len(b.reqs) && b.reqs[i+1].token.String == r.token.String {
			continue
		}
		b.tokens = append(b.tokens, &r.token)
		b.data = append(b.data, &r.data.b)
		b.expiries = append(b.expiries, &r.expiry)
		b.owners = append(b.owners, &r.owner)
		b.devices = append(b.devices, &r.device)
		b.nows = append(b.nows, &r.now)
	}
	written := make(map[string]bool, len(b.tokens))
	err := d.write(ctx, func(c *pgxpool.Conn) error {
		var rows pgx.Rows
		if d.owned {
			rows, _ = c.Query(ctx, d.q.commitOwnedMany, &b.tokens, &b.data, &b.expiries, &b.owners, &b.devices, &b.nows)
		} else {
			rows, _ = c.Query(ctx, d.q.commitMany, &b.tokens, &b.data, &b.expiries)
		}
		var token string
		_, err := pgx.ForEachRow(rows, []any{&token}, func() error {
			written[token] = true
			return nil
		})
		return err
	})
	for _, r := range b.reqs {
		r.wrote = err == nil && written[r.token.String]
	}
	settle(d, ctx, ops, err)
}

// commitOne runs op's Commit as an upsert of its own.
func (d *driver) commitOne(ctx context.Context, op *commitOp) {
	args := op.Req.args[:]
	op.Err = d.write(ctx, func(c *pgxpool.Conn) error {
		var tag pgconn.CommandTag
		var err error
		if d.owned {
			tag, err = c.Exec(ctx, d.q.commitOwned, args...)
		} else {
			tag, err = c.Exec(ctx, d.q.commit, args[:3]...)
		}
		op.Req.wrote = err == nil && tag.RowsAffected() == 1
		return err
	})
}

// commitBatch is the scratch space of one grouped Commit, its slices made
// at their full size at once. It is not pooled: pooling it gained 1.05x
// at most in paired benchmarks.
type commitBatch struct {
	reqs           []*commitReq
	tokens         pgtype.FlatArray[*pgtype.Text]
	data           pgtype.FlatArray[*[]byte] // a type pgx knows in every exec mode, unlike *bytesArg
	expiries, nows pgtype.FlatArray[*pgtype.Timestamptz]
	owners         pgtype.FlatArray[*pgtype.Text]
	devices        pgtype.FlatArray[*pgtype.Text]
}

func newCommitBatch(n int) *commitBatch {
	return &commitBatch{
		reqs:     make([]*commitReq, 0, n),
		tokens:   make(pgtype.FlatArray[*pgtype.Text], 0, n),
		data:     make(pgtype.FlatArray[*[]byte], 0, n),
		expiries: make(pgtype.FlatArray[*pgtype.Timestamptz], 0, n),
		nows:     make(pgtype.FlatArray[*pgtype.Timestamptz], 0, n),
		owners:   make(pgtype.FlatArray[*pgtype.Text], 0, n),
		devices:  make(pgtype.FlatArray[*pgtype.Text], 0, n),
	}
}
