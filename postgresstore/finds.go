package postgresstore

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

func (d *driver) Find(ctx context.Context, token string, now time.Time, wantExpiry bool) ([]byte, time.Time, bool, error) {
	op := findOpPool.Get().(*findOp)
	op.ctx = ctx
	op.token = pgtype.Text{String: token, Valid: true}
	op.now = pgtype.Timestamptz{Time: now, Valid: true}
	op.wantExpiry = wantExpiry
	if !d.finds.do(&op.member) {
		return nil, time.Time{}, false, ctx.Err() // gave up in the queue; op stays there
	}
	data, expiry, found, err := op.data, op.expiry, op.found, op.err
	op.release()
	return data, expiry, found, err
}

// findOp is one Find: its parameters, its result, and its place in the
// find group. Ops are pooled: pgx encodes the *pgtype values in args and
// scans into the pointers in dest without boxing anything on the heap,
// which keeps the hottest path of every request at fewer allocations than
// a plain QueryRow(ctx, sql, token).
type findOp struct {
	member
	token      pgtype.Text
	now        pgtype.Timestamptz
	wantExpiry bool
	args       [2]any

	data   []byte
	expiry time.Time
	found  bool
	dest   [2]any
	dup    *findOp // the next op of a grouped Find asking for the same token

	// The direct Find's encoded parameters (see findDirect).
	tokenBuf []byte
	nowBuf   [8]byte
	params   [2][]byte
}

var findOpPool = sync.Pool{New: func() any {
	op := &findOp{}
	op.init(op)
	op.args = [2]any{&op.token, &op.now}
	op.dest = [2]any{&op.data, &op.expiry}
	return op
}}

func (op *findOp) release() {
	op.ctx, op.token, op.data, op.expiry, op.found, op.err, op.dup = nil, pgtype.Text{}, nil, time.Time{}, false, nil, nil
	findOpPool.Put(op)
}

// runFinds is the find group's statement: one op's own query, or one query
// for the tokens of all of them.
func (d *driver) runFinds(ctx context.Context, ms []*member) {
	if len(ms) == 1 {
		d.findOne(ctx, ms[0])
		return
	}
	b := findBatchPool.Get().(*findBatch)
	defer b.release()
	earliest := ms[0].op.(*findOp).now
	for _, m := range ms {
		op := m.op.(*findOp)
		if op.now.Time.Before(earliest.Time) {
			earliest = op.now
		}
		if first, ok := b.byToken[op.token.String]; ok {
			op.dup, first.dup = first.dup, op
			continue
		}
		b.byToken[op.token.String] = op
		b.tokens = append(b.tokens, &op.token)
	}
	settle(ctx, ms, d.findMany(ctx, b, &earliest), &d.grouped)
}

// findOne runs m's Find as a query of its own.
func (d *driver) findOne(ctx context.Context, m *member) {
	op := m.op.(*findOp)
	var err error
	if d.direct {
		op.found, err = d.findDirect(ctx, op)
	} else {
		op.found, err = findThroughPgx(ctx, d.pool, d.findSQL(op), op)
	}
	if !op.found {
		op.data = nil
	}
	m.err = err
}

// findSQL is the statement of op's Find of its own.
func (d *driver) findSQL(op *findOp) string {
	if op.wantExpiry {
		return d.q.findWithExpiry
	}
	return d.q.find
}

// rowQuerier is a pool or one of its connections.
type rowQuerier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// findThroughPgx runs op's Find as sql on q through pgx's own query path.
func findThroughPgx(ctx context.Context, q rowQuerier, sql string, op *findOp) (bool, error) {
	dest := op.dest[:1]
	if op.wantExpiry {
		dest = op.dest[:]
	}
	err := q.QueryRow(ctx, sql, op.args[:]...).Scan(dest...)
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
		for op := first; op != nil; op = op.dup {
			if !expiry.After(op.now.Time) {
				continue
			}
			op.data, op.expiry, op.found = data, expiry, true
			if op != first {
				op.data = bytes.Clone(data) // every caller owns its slice
			}
		}
	}
	return rows.Err()
}

// findBatch is the scratch space of one grouped Find, pooled.
type findBatch struct {
	tokens  pgtype.FlatArray[*pgtype.Text]
	byToken map[string]*findOp
}

var findBatchPool = sync.Pool{New: func() any {
	return &findBatch{byToken: make(map[string]*findOp, maxGroup)}
}}

func (b *findBatch) release() {
	reset(&b.tokens)
	clear(b.byToken)
	findBatchPool.Put(b)
}
