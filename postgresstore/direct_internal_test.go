package postgresstore

import (
	"encoding/binary"
	"math"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
)

// TestDirectShape: only a statement taking (any, timestamptz) and
// returning (bytea, timestamptz) runs directly.
func TestDirectShape(t *testing.T) {
	fields := func(oids ...uint32) []pgconn.FieldDescription {
		var fs []pgconn.FieldDescription
		for _, oid := range oids {
			fs = append(fs, pgconn.FieldDescription{DataTypeOID: oid})
		}
		return fs
	}
	for _, c := range []struct {
		name   string
		params []uint32
		fields []pgconn.FieldDescription
		want   bool
	}{
		{"the session table", []uint32{pgtype.TextOID, pgtype.TimestamptzOID}, fields(pgtype.ByteaOID, pgtype.TimestamptzOID), true},
		{"a varchar token", []uint32{pgtype.VarcharOID, pgtype.TimestamptzOID}, fields(pgtype.ByteaOID, pgtype.TimestamptzOID), true},
		{"a timestamp expiry", []uint32{pgtype.TextOID, pgtype.TimestampOID}, fields(pgtype.ByteaOID, pgtype.TimestamptzOID), false},
		{"a timestamp expiry returned", []uint32{pgtype.TextOID, pgtype.TimestamptzOID}, fields(pgtype.ByteaOID, pgtype.TimestampOID), false},
		{"text data", []uint32{pgtype.TextOID, pgtype.TimestamptzOID}, fields(pgtype.TextOID, pgtype.TimestamptzOID), false},
		{"expiry missing", []uint32{pgtype.TextOID, pgtype.TimestamptzOID}, fields(pgtype.ByteaOID), false},
		{"one parameter", []uint32{pgtype.TextOID}, fields(pgtype.ByteaOID, pgtype.TimestamptzOID), false},
	} {
		sd := &pgconn.StatementDescription{ParamOIDs: c.params, Fields: c.fields}
		if got := directShape(sd); got != c.want {
			t.Errorf("%s: directShape = %v, want %v", c.name, got, c.want)
		}
	}
}

// TestPgTime: binary timestamptz values decode to the instant encoded,
// microseconds kept, up to PostgreSQL's last year; its infinities are an
// error, as they are on pgx's own path.
func TestPgTime(t *testing.T) {
	encode := func(us int64) []byte { return binary.BigEndian.AppendUint64(nil, uint64(us)) }
	for _, want := range []time.Time{
		time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 12, 2, 1, 2, 3, 456789000, time.UTC),
		time.Date(1999, 12, 31, 23, 59, 59, 999999000, time.UTC),
		time.Date(1900, 6, 1, 12, 0, 0, 1000, time.UTC),
		time.Date(294276, 12, 31, 23, 59, 59, 999999000, time.UTC),
	} {
		got, err := pgTime(encode(pgMicros(want)))
		if err != nil || !got.Equal(want) {
			t.Errorf("pgTime(pgMicros(%v)) = %v, %v", want, got, err)
		}
	}
	for _, us := range []int64{math.MaxInt64, math.MinInt64} {
		if got, err := pgTime(encode(us)); err == nil {
			t.Errorf("an infinity (%d) decoded to %v without an error", us, got)
		}
	}
	if _, err := pgTime([]byte{1, 2, 3}); err == nil {
		t.Error("a 3-byte timestamptz decoded without an error")
	}
}
