package postgresstore

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
)

// A Find of its own is the one statement every request of an app runs, so
// it skips pgx's row and type machinery: it runs its statement, prepared
// once per connection, straight over pgconn, with its parameters encoded
// by hand. That takes a few microseconds off every Find, a few percent of
// its latency at one caller, where grouping cannot help.
//
// It does so only where pgx would have run the same prepared statement: a
// pool in pgx's default exec mode (QueryExecModeCacheStatement) with a
// statement cache. A pool with a Tracer keeps every Find on pgx's own
// path, so the tracer sees it; so does any other exec mode (a pool set up
// for a connection pooler, say), which keeps its own protocol.

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

// findDirect runs op's Find over pgconn, on a connection of its own, and
// reports whether it found the row. A server error drops the statement
// from the connection, as pgx does with the statements it caches, so the
// next Find there prepares it again; when the statement had gone from the
// server (a DEALLOCATE ALL, say) the Find runs once more at once. A
// statement whose types are not those of the session table runs through
// pgx instead, which converts them.
func (d *driver) findDirect(ctx context.Context, op *findOp) (bool, error) {
	conn, err := d.pool.Acquire(ctx)
	if err != nil {
		return false, err
	}
	defer conn.Release()
	sql := d.findSQL(op)
	for attempt := 0; ; attempt++ {
		sd, err := conn.Conn().Prepare(ctx, sql, sql)
		if err != nil {
			return false, err
		}
		if !directShape(sd, op.wantExpiry) {
			return findThroughPgx(ctx, conn.Conn(), sql, op)
		}
		found, err := findOn(ctx, conn.Conn().PgConn(), sd, op)
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) {
			return found, err
		}
		if derr := conn.Conn().Deallocate(ctx, sql); derr != nil || attempt > 0 || pgErr.Code != statementMissing {
			return false, err
		}
	}
}

// statementMissing is PostgreSQL's invalid_sql_statement_name: a prepared
// statement the connection no longer has.
const statementMissing = "26000"

// findOn runs op's Find as the prepared statement sd on conn.
func findOn(ctx context.Context, conn *pgconn.PgConn, sd *pgconn.StatementDescription, op *findOp) (bool, error) {
	op.tokenBuf = append(op.tokenBuf[:0], op.token.String...)
	binary.BigEndian.PutUint64(op.nowBuf[:], uint64(pgMicros(op.now.Time)))
	op.params = [2][]byte{op.tokenBuf, op.nowBuf[:]}
	results := directResultFormats[:len(sd.Fields)]
	rr := conn.ExecStatement(ctx, sd, op.params[:], directParamFormats, results)
	found := false
	var decodeErr error
	for rr.NextRow() {
		values := rr.Values()
		op.data = bytes.Clone(values[0]) // values live in the connection's buffer
		if op.wantExpiry {
			op.expiry, decodeErr = pgTime(values[1])
		}
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
// parameter and returns a bytea (and, with expiry, a timestamptz): what
// findOn encodes and decodes.
func directShape(sd *pgconn.StatementDescription, withExpiry bool) bool {
	want := 1
	if withExpiry {
		want = 2
	}
	if len(sd.ParamOIDs) != 2 || sd.ParamOIDs[1] != pgtype.TimestamptzOID || len(sd.Fields) != want {
		return false
	}
	if sd.Fields[0].DataTypeOID != pgtype.ByteaOID {
		return false
	}
	return !withExpiry || sd.Fields[1].DataTypeOID == pgtype.TimestamptzOID
}

// pgEpoch is where PostgreSQL's binary timestamps count from, in Unix
// microseconds.
const pgEpoch = 946_684_800_000_000

// pgMicros is t as a binary timestamptz: microseconds since 2000-01-01 UTC.
func pgMicros(t time.Time) int64 { return t.UnixMicro() - pgEpoch }

// pgTime decodes a binary timestamptz. PostgreSQL's infinities come out as
// the far ends of the int64 range: later and earlier than any clock.
func pgTime(b []byte) (time.Time, error) {
	if len(b) != 8 {
		return time.Time{}, errors.New("a binary timestamptz that is not 8 bytes long")
	}
	us := int64(binary.BigEndian.Uint64(b))
	if us > 0 && us+pgEpoch < 0 { // past the end of UnixMicro's range
		return time.Unix(1<<62, 0), nil
	}
	return time.UnixMicro(us + pgEpoch), nil
}
