package postgresstore

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/sessionsql/sessionsql/internal/batch"
)

// findReq is one Find: its parameters and its result. pgx encodes the
// *pgtype values in args and scans into the pointers in dest without
// boxing anything on the heap, and its op is pooled: a Find, the one
// statement every request runs, then makes 4 allocations instead of 8, and
// ran 1.11x and 1.12x as fast at one caller in two paired runs (see
// bench/RESULTS.md).
type findReq struct {
	token pgtype.Text
	now   pgtype.Timestamptz
	args  [2]any

	data   []byte
	expiry time.Time
	found  bool
	dest   [2]any
	dup    *batch.Op[findReq] // the next op of a grouped Find asking for the same token

	// The direct Find's encoded parameters (see findDirect).
	tokenBuf []byte
	nowBuf   [8]byte
	params   [2][]byte
}

type findOp = batch.Op[findReq]

var findOpPool = sync.Pool{New: func() any {
	op := batch.NewOp[findReq]()
	op.Req.args = [2]any{&op.Req.token, &op.Req.now}
	op.Req.dest = [2]any{&op.Req.data, &op.Req.expiry}
	return op
}}

func (d *driver) Find(ctx context.Context, token string, now time.Time) ([]byte, time.Time, bool, error) {
	op := findOpPool.Get().(*findOp)
	op.Ctx = ctx
	op.Req.token = pgtype.Text{String: token, Valid: true}
	op.Req.now = pgtype.Timestamptz{Time: now, Valid: true}
	if !d.finds.Do(op) {
		return nil, time.Time{}, false, op.Err // gave up in the queue; op stays there
	}
	r := &op.Req
	data, expiry, found, err := r.data, r.expiry, r.found, op.Err
	op.Ctx, r.token, r.data, r.expiry, r.found, r.dup = nil, pgtype.Text{}, nil, time.Time{}, false, nil
	findOpPool.Put(op)
	return data, expiry, found, err
}

// runFinds is the find batcher's statement: one op's own query, or one
// query for the tokens of all of them.
func (d *driver) runFinds(ctx context.Context, ops []*findOp) {
	if len(ops) == 1 {
		d.findOne(ctx, ops[0])
		return
	}
	b := &findBatch{tokens: make(pgtype.FlatArray[*pgtype.Text], 0, len(ops)), byToken: make(map[string]*findOp, len(ops))}
	earliest := ops[0].Req.now
	for _, op := range ops {
		r := &op.Req
		if r.now.Time.Before(earliest.Time) {
			earliest = r.now
		}
		if first, ok := b.byToken[r.token.String]; ok {
			r.dup, first.Req.dup = first.Req.dup, op
			continue
		}
		b.byToken[r.token.String] = op
		b.tokens = append(b.tokens, &r.token)
	}
	settle(d, ctx, ops, d.findMany(ctx, b, &earliest))
}

// findOne runs op's Find as a query of its own.
func (d *driver) findOne(ctx context.Context, op *findOp) {
	var err error
	if d.direct {
		op.Req.found, err = d.findDirect(ctx, op)
	} else {
		op.Req.found, err = findThroughPgx(ctx, d.pool, d.q.find, op)
	}
	if !op.Req.found {
		op.Req.data = nil
	}
	op.Err = err
}

// rowQuerier is a pool or one of its connections.
type rowQuerier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// findThroughPgx runs op's Find as sql on q through pgx's own query path.
func findThroughPgx(ctx context.Context, q rowQuerier, sql string, op *findOp) (bool, error) {
	err := q.QueryRow(ctx, sql, op.Req.args[:]...).Scan(op.Req.dest[:]...)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// findMany looks up every token of b in one query, from the earliest
// clock reading of its ops, and gives each op the row if it is live at
// its own.
func (d *driver) findMany(ctx context.Context, b *findBatch, earliest *pgtype.Timestamptz) error {
	rows, err := d.pool.Query(ctx, d.q.findMany, &b.tokens, earliest)
	if err != nil {
		return err
	}
	defer rows.Close()
	var token pgtype.DriverBytes
	var data []byte
	var expiry time.Time
	dest := []any{&token, &data, &expiry}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		first := b.byToken[string(token)]
		for op := first; op != nil; op = op.Req.dup {
			r := &op.Req
			if !expiry.After(r.now.Time) {
				continue
			}
			r.data, r.expiry, r.found = data, expiry, true
			if op != first {
				r.data = bytes.Clone(data) // every caller owns its slice
			}
		}
	}
	return rows.Err()
}

// findBatch is the scratch space of one grouped Find. It is not pooled:
// pooling it gained nothing a paired benchmark could tell (1.00x).
type findBatch struct {
	tokens  pgtype.FlatArray[*pgtype.Text]
	byToken map[string]*findOp
}
