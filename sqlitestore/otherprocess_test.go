package sqlitestore

import (
	"context"
	"database/sql"
	"testing"
)

// OtherConnection opens the SQLite file at path the way another process
// would: its own handle, a 5 s busy timeout. It is closed when t ends.
func OtherConnection(t testing.TB, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// HoldWriteLock takes the file's write lock from another connection (BEGIN
// IMMEDIATE) and keeps it until release is called or t ends.
func HoldWriteLock(t testing.TB, path string) (release func()) {
	t.Helper()
	ctx := context.Background()
	conn, err := OtherConnection(t, path).Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	return func() {
		t.Helper()
		if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
			t.Fatal(err)
		}
	}
}
