package migrations_test

import (
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"sync"
	"testing"
	"time"

	"github.com/sessionsql/sessionsql/migrations"
)

// probe writes and reads one row, proving the sessions table is usable.
func probe(t *testing.T, db *sql.DB, d migrations.Dialect) {
	t.Helper()
	insert := `INSERT INTO sessions (token, data, expiry) VALUES ($1, $2, $3)`
	var expiry any = time.Now().Add(time.Hour)
	if d == migrations.SQLite {
		insert = `INSERT INTO sessions (token, data, expiry) VALUES (?, ?, ?)`
		expiry = time.Now().Add(time.Hour).UnixMilli()
	}
	tok := fmt.Sprintf("probe-%d", time.Now().UnixNano())
	if _, err := db.ExecContext(ctx(), insert, tok, []byte("x"), expiry); err != nil {
		t.Fatalf("insert into sessions: %v", err)
	}
	var n int
	if err := db.QueryRowContext(ctx(), `SELECT count(*) FROM sessions WHERE token = '`+tok+`'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("read back probe row: n=%d err=%v", n, err)
	}
}

func tableExists(t *testing.T, db *sql.DB) bool {
	t.Helper()
	_, err := db.ExecContext(ctx(), `SELECT 1 FROM sessions LIMIT 1`)
	return err == nil
}

func TestUpDownUp(t *testing.T) {
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			t.Parallel()
			db, _ := tg.open(t)
			if v := version(t, db, tg.dialect); v != 0 {
				t.Fatalf("fresh database at version %d, want 0", v)
			}
			mustUp(t, db, tg.dialect)
			if v, want := version(t, db, tg.dialect), latest(t, tg.dialect); v != want {
				t.Fatalf("after Up: version %d, want %d", v, want)
			}
			probe(t, db, tg.dialect)
			mustUp(t, db, tg.dialect) // idempotent

			for version(t, db, tg.dialect) > 0 {
				if err := migrations.Down(ctx(), db, tg.dialect); err != nil {
					t.Fatalf("Down: %v", err)
				}
			}
			if tableExists(t, db) {
				t.Fatal("sessions table still exists after rolling every migration back")
			}
			if err := migrations.Down(ctx(), db, tg.dialect); err != nil {
				t.Fatalf("Down at version 0: %v, want nil", err)
			}

			mustUp(t, db, tg.dialect)
			if v, want := version(t, db, tg.dialect), latest(t, tg.dialect); v != want {
				t.Fatalf("after Up again: version %d, want %d", v, want)
			}
			probe(t, db, tg.dialect)

			if err := migrations.DownTo(ctx(), db, tg.dialect, 0); err != nil {
				t.Fatalf("DownTo(0): %v", err)
			}
			if tableExists(t, db) {
				t.Fatal("sessions table still exists after DownTo(0)")
			}
		})
	}
}

func TestListReportsState(t *testing.T) {
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			t.Parallel()
			db, _ := tg.open(t)
			before, err := migrations.List(ctx(), db, tg.dialect)
			if err != nil {
				t.Fatal(err)
			}
			if len(before) == 0 || int64(len(before)) != latest(t, tg.dialect) {
				t.Fatalf("List found %d migrations, want %d", len(before), latest(t, tg.dialect))
			}
			for _, st := range before {
				if st.Applied {
					t.Fatalf("%s applied on a fresh database", st.Name)
				}
			}
			mustUp(t, db, tg.dialect)
			after, err := migrations.List(ctx(), db, tg.dialect)
			if err != nil {
				t.Fatal(err)
			}
			for _, st := range after {
				if !st.Applied {
					t.Fatalf("%s pending after Up", st.Name)
				}
			}
			if after[0].Name != "00001_create_sessions.sql" || after[0].Version != 1 {
				t.Fatalf("first migration = %+v, want version 1 00001_create_sessions.sql", after[0])
			}
		})
	}
}

// TestConcurrentUp starts eight instances migrating one database at once,
// each through its own connection pool, as a fleet rolling out would.
func TestConcurrentUp(t *testing.T) {
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			t.Parallel()
			first, dsn := tg.open(t)
			dbs := []*sql.DB{first}
			for range 7 {
				dbs = append(dbs, reopen(t, tg, dsn))
			}
			var wg sync.WaitGroup
			errs := make([]error, len(dbs))
			for i, db := range dbs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs[i] = migrations.Up(ctx(), db, tg.dialect)
				}()
			}
			wg.Wait()
			if err := errors.Join(errs...); err != nil {
				t.Fatalf("concurrent Up: %v", err)
			}
			if v, want := version(t, first, tg.dialect), latest(t, tg.dialect); v != want {
				t.Fatalf("version %d after concurrent Up, want %d", v, want)
			}
			probe(t, first, tg.dialect)
			if tg.dialect == migrations.Postgres {
				var rows, distinct int
				q := `SELECT count(*), count(DISTINCT version_id) FROM ` + migrations.VersionTable + ` WHERE version_id > 0`
				if err := first.QueryRowContext(ctx(), q).Scan(&rows, &distinct); err != nil {
					t.Fatal(err)
				}
				if rows != distinct {
					t.Fatalf("version table has %d rows for %d versions: a migration ran twice", rows, distinct)
				}
			}
		})
	}
}

// reopen opens another, independent handle on the database behind dsn.
func reopen(t *testing.T, tg target, dsn string) *sql.DB {
	t.Helper()
	driver := "pgx"
	if tg.dialect == migrations.SQLite {
		driver, dsn = "sqlite", "file:"+dsn+"?_pragma=busy_timeout(5000)"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestFS(t *testing.T) {
	for _, d := range []migrations.Dialect{migrations.Postgres, migrations.SQLite} {
		b, err := fs.ReadFile(migrations.FS(d), "00001_create_sessions.sql")
		if err != nil || len(b) == 0 {
			t.Fatalf("FS(%s) lacks 00001_create_sessions.sql: %v", d, err)
		}
	}
	if migrations.FS("oracle") != nil {
		t.Fatal(`FS("oracle") is not nil`)
	}
}

func TestBadArguments(t *testing.T) {
	if err := migrations.Up(ctx(), nil, migrations.SQLite); err == nil {
		t.Fatal("Up with a nil db succeeded")
	}
	db, _ := openSQLite(t)
	if err := migrations.Up(ctx(), db, "oracle"); err == nil {
		t.Fatal(`Up with dialect "oracle" succeeded`)
	}
}

// TestPostgresVersionTableIsOurs checks that sessionsql records its
// migrations in its own table, leaving goose_db_version to the app.
func TestPostgresVersionTableIsOurs(t *testing.T) {
	db, _ := openPostgres(t)
	mustUp(t, db, migrations.Postgres)
	var ours, gooses bool
	q := `SELECT to_regclass($1) IS NOT NULL`
	if err := db.QueryRowContext(ctx(), q, migrations.VersionTable).Scan(&ours); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRowContext(ctx(), q, "goose_db_version").Scan(&gooses); err != nil {
		t.Fatal(err)
	}
	if !ours || gooses {
		t.Fatalf("version tables: %s exists=%v, goose_db_version exists=%v; want true, false", migrations.VersionTable, ours, gooses)
	}
}
