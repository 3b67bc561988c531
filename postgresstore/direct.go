package postgresstore

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"math"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
)

// A Find of its own is the one statement every request of an app runs, so
// it skips pgx's row and type machinery: it runs its statement, prepared
// once per connection, straight over pgconn, with its parameters encoded
// by hand. In two paired runs of the bench that made Finds 1.11x and 1.15x
// as fast at one caller and 1.13x and 1.24x at 16 (see bench/RESULTS.md).
//
// It does so only where pgx would have prepared a statement too: a pool in
// pgx's default exec mode (QueryExecModeCacheStatement) with a statement
// cache, as the pool's config says when the store is built. A pool with a
// Tracer keeps every Find on pgx's own path, so the tracer sees it; so does
// any other exec mode (a pool set up for a connection pooler, say), which
// keeps its own protocol.

// directFinds reports whether the Finds of a store over pool may run
// directly over pgconn: see above.
func directFinds(pool *pgxpool.Pool) bool {
	cc := pool.Config().ConnConfig
	return cc.Tracer == nil && cc.DefaultQueryExecMode == pgx.QueryExecModeCacheStatement && cc.StatementCacheCapacity > 0
}

// The formats of the direct Find: the token as text (any string column
// takes it), the clock reading as a binary timestamptz, and the row's
// columns binary.
var (
	directParamFormats  = []int16{pgtype.TextFormatCode, pgtype.BinaryFormatCode}
	directResultFormats = []int16{pgtype.BinaryFormatCode, pgtype.BinaryFormatCode}
)

// findDirect runs op's Find on a connection of its own, as a statement
// prepared on it once (under its SQL, outside pgx's statement cache), and
// reports whether it found the row. The statement runs over pgconn when its
// types are those of the session table; otherwise (a custom table with a
// TIMESTAMP expiry, say) through pgx, which converts them. Either way a
// server error drops the statement from the connection, as pgx does with
// the statements it caches, so the next Find there prepares it afresh; and
// when the error says the statement itself is stale (it is gone from the
// server after a DEALLOCATE ALL, or its table changed under it) the Find
// runs once more at once: it only reads.
func (d *driver) findDirect(ctx context.Context, op *findOp) (bool, error) {
	conn, err := d.pool.Acquire(ctx)
	if err != nil {
		return false, err
	}
	defer conn.Release()
	sql := d.q.find
	for attempt := 0; ; attempt++ {
		sd, err := conn.Conn().Prepare(ctx, sql, sql)
		if err != nil {
			return false, err
		}
		var found bool
		if directShape(sd) {
			found, err = findOn(ctx, conn.Conn().PgConn(), sd, op)
		} else {
			found, err = findThroughPgx(ctx, conn.Conn(), sql, op)
		}
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) {
			return found, err
		}
		if derr := conn.Conn().Deallocate(ctx, sql); derr != nil || attempt > 0 || !staleStatement[pgErr.Code] {
			return false, err
		}
	}
}

// staleStatement holds the errors of a prepared statement that preparing
// it again fixes: invalid_sql_statement_name (the connection no longer has
// it) and feature_not_supported, which PostgreSQL raises as "cached plan
// must not change result type" once the table's columns changed.
var staleStatement = map[string]bool{"26000": true, "0A000": true}

// findOn runs op's Find as the prepared statement sd on conn.
func findOn(ctx context.Context, conn *pgconn.PgConn, sd *pgconn.StatementDescription, op *findOp) (bool, error) {
	r := &op.Req
	r.tokenBuf = append(r.tokenBuf[:0], r.token.String...)
	binary.BigEndian.PutUint64(r.nowBuf[:], uint64(pgMicros(r.now.Time)))
	r.params = [2][]byte{r.tokenBuf, r.nowBuf[:]}
	rr := conn.ExecStatement(ctx, sd, r.params[:], directParamFormats, directResultFormats)
	found := false
	var decodeErr error
	for rr.NextRow() {
		values := rr.Values()
		r.data = bytes.Clone(values[0]) // values live in the connection's buffer
		r.expiry, decodeErr = pgTime(values[1])
		found = true
	}
	if _, err := rr.Close(); err != nil {
		return false, err
	}
	if decodeErr != nil {
		return false, decodeErr
	}
	return found, nil
}

// directShape reports whether sd takes a timestamptz as its second
// parameter and returns a bytea and a timestamptz: what findOn encodes and
// decodes.
func directShape(sd *pgconn.StatementDescription) bool {
	return len(sd.ParamOIDs) == 2 && sd.ParamOIDs[1] == pgtype.TimestamptzOID && len(sd.Fields) == 2 &&
		sd.Fields[0].DataTypeOID == pgtype.ByteaOID && sd.Fields[1].DataTypeOID == pgtype.TimestamptzOID
}

// pgEpoch is where PostgreSQL's binary timestamps count from, in Unix
// microseconds.
const pgEpoch = 946_684_800_000_000

// pgMicros is t as a binary timestamptz: microseconds since 2000-01-01 UTC.
func pgMicros(t time.Time) int64 { return t.UnixMicro() - pgEpoch }

// pgTime decodes a binary timestamptz as pgx does: PostgreSQL's
// infinities are an error, since no time.Time stands for them.
func pgTime(b []byte) (time.Time, error) {
	if len(b) != 8 {
		return time.Time{}, errors.New("a binary timestamptz that is not 8 bytes long")
	}
	us := int64(binary.BigEndian.Uint64(b))
	if us == math.MaxInt64 || us == math.MinInt64 {
		return time.Time{}, errors.New("an infinite session expiry, which a time.Time cannot hold")
	}
	return time.Unix(pgEpoch/1_000_000+us/1_000_000, us%1_000_000*1000), nil
}
