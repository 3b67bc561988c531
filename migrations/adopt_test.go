package migrations_test

import (
	"testing"
	"time"

	"github.com/sessionsql/sessionsql"
	"github.com/sessionsql/sessionsql/internal/pgtest"
	"github.com/sessionsql/sessionsql/migrations"
	"github.com/sessionsql/sessionsql/postgresstore"
	"github.com/sessionsql/sessionsql/sqlitestore"
)

// TestAdoptScsPostgresTable: an app moving from scs's pgxstore keeps every
// live session. The table and index are exactly as scs documents them.
func TestAdoptScsPostgresTable(t *testing.T) {
	pool, _ := pgtest.PoolAndSchema(t)
	scsSchema := []string{
		`CREATE TABLE sessions (token TEXT PRIMARY KEY, data BYTEA NOT NULL, expiry TIMESTAMPTZ NOT NULL)`,
		`CREATE INDEX sessions_expiry_idx ON sessions (expiry)`,
	}
	for _, q := range scsSchema {
		if _, err := pool.Exec(ctx(), q); err != nil {
			t.Fatal(err)
		}
	}
	// Rows written the way pgxstore writes them.
	if _, err := pool.Exec(ctx(), `INSERT INTO sessions (token, data, expiry) VALUES
		('live-token', '\x0102ff', now() + interval '1 hour'),
		('old-token', '\x00', now() - interval '1 hour')`); err != nil {
		t.Fatal(err)
	}

	if err := postgresstore.Migrate(ctx(), pool); err != nil {
		t.Fatalf("Migrate over scs's table: %v", err)
	}
	st, err := postgresstore.NewWithConfig(pool, postgresstore.Config{Config: sessionsql.Config{CleanupInterval: -1}})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	data, found, err := st.FindCtx(ctx(), "live-token")
	if err != nil || !found || string(data) != "\x01\x02\xff" {
		t.Fatalf("live scs session after Migrate = (%q, %v, %v), want its data", data, found, err)
	}
	if _, found, _ := st.FindCtx(ctx(), "old-token"); found {
		t.Fatal("expired scs session is visible after Migrate")
	}
	var rows int
	if err := pool.QueryRow(ctx(), `SELECT count(*) FROM sessions`).Scan(&rows); err != nil || rows != 2 {
		t.Fatalf("sessions has %d rows after Migrate (err %v), want the 2 scs rows untouched", rows, err)
	}
}

// TestAdoptScsSQLiteTable: scs's sqlite3store keeps expiry as a REAL julian
// day. After Up the same sessions are live under sessionsql, to the second.
func TestAdoptScsSQLiteTable(t *testing.T) {
	db, path := openSQLite(t)
	scsSchema := []string{
		`CREATE TABLE sessions (token TEXT PRIMARY KEY, data BLOB NOT NULL, expiry REAL NOT NULL)`,
		`CREATE INDEX sessions_expiry_idx ON sessions(expiry)`,
		`INSERT INTO sessions VALUES ('live-token', x'0102ff', julianday('now', '+1 hour'))`,
		`INSERT INTO sessions VALUES ('old-token', x'00', julianday('now', '-1 hour'))`,
	}
	for _, q := range scsSchema {
		if _, err := db.ExecContext(ctx(), q); err != nil {
			t.Fatal(err)
		}
	}
	mustUp(t, db, migrations.SQLite)
	var expiry int64
	if err := db.QueryRowContext(ctx(), `SELECT CAST(expiry AS INTEGER) FROM sessions WHERE token = 'live-token'`).Scan(&expiry); err != nil {
		t.Fatal(err)
	}
	if d := time.Until(time.UnixMilli(expiry)); d < 59*time.Minute || d > 61*time.Minute {
		t.Fatalf("adopted expiry is %v from now, want about 1h", d)
	}
	db.Close()

	st, err := sqlitestore.Open(path, sqlitestore.Config{Config: sessionsql.Config{CleanupInterval: -1}})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	data, found, err := st.FindCtx(ctx(), "live-token")
	if err != nil || !found || string(data) != "\x01\x02\xff" {
		t.Fatalf("live scs session after Up = (%q, %v, %v), want its data", data, found, err)
	}
	if _, found, _ := st.FindCtx(ctx(), "old-token"); found {
		t.Fatal("expired scs session is visible after Up")
	}
}
