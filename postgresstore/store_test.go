package postgresstore_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/sessionsql/sessionsql"
	"github.com/sessionsql/sessionsql/internal/pgtest"
	"github.com/sessionsql/sessionsql/postgresstore"
)

func TestInvalidTableNames(t *testing.T) {
	pool := pgtest.Pool(t)
	for _, name := range []string{
		`sessions; DROP TABLE users`,
		`"sessions"`,
		`a.b.c`,
		`1sessions`,
		`sess ions`,
		`sessions--`,
		strings.Repeat("x", 64),
		`.sessions`,
	} {
		s, err := postgresstore.NewWithConfig(pool, postgresstore.Config{Config: sessionsql.Config{TableName: name}})
		if err == nil || s != nil {
			t.Errorf("NewWithConfig(TableName %q) = (%v, %v), want an error", name, s, err)
		}
	}
}

// TestNilPool: a nil pool is a programming error, said at once.
func TestNilPool(t *testing.T) {
	for name, build := range map[string]func(){
		"New":           func() { postgresstore.New(nil) },
		"NewWithConfig": func() { _, _ = postgresstore.NewWithConfig(nil, postgresstore.Config{}) },
	} {
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "pool is nil") {
					t.Errorf("%s(nil) panicked with %v, want a message naming the nil pool", name, r)
				}
			}()
			build()
		}()
	}
}

func TestMissingTable(t *testing.T) {
	pool := pgtest.Pool(t) // fresh schema, never migrated
	s, err := postgresstore.NewWithConfig(pool, postgresstore.Config{Config: sessionsql.Config{CleanupInterval: -1}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, _, err = s.FindCtx(context.Background(), "abc")
	if !errors.Is(err, sessionsql.ErrNoTable) || !strings.Contains(err.Error(), "migrat") {
		t.Fatalf("Find without the table: %v, want sessionsql.ErrNoTable telling to migrate", err)
	}
	if _, err := s.DeleteExpired(context.Background(), 10); !errors.Is(err, sessionsql.ErrNoTable) {
		t.Fatalf("DeleteExpired without the table: %v, want sessionsql.ErrNoTable", err)
	}
}

// TestMissingCustomTable: the migrations create only "sessions", so a
// store on another table that does not exist says to create it.
func TestMissingCustomTable(t *testing.T) {
	pool := pgtest.Pool(t)
	if err := postgresstore.Migrate(context.Background(), pool); err != nil {
		t.Fatal(err)
	}
	s, err := postgresstore.NewWithConfig(pool, postgresstore.Config{Config: sessionsql.Config{TableName: "app_sessions", CleanupInterval: -1}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, _, err = s.FindCtx(context.Background(), "abc")
	if !errors.Is(err, sessionsql.ErrNoTable) || !strings.Contains(err.Error(), `the migrations create only "sessions"`) || !strings.Contains(err.Error(), "create app_sessions yourself") {
		t.Fatalf("Find on a missing custom table: %v, want sessionsql.ErrNoTable saying to create it", err)
	}
}

// TestDatabaseGone: a pool that was closed under the store, and a server
// that is not there, give errors, not panics or hangs.
func TestDatabaseGone(t *testing.T) {
	s, pool := quietStore(t)
	pool.Close()
	if _, _, err := s.Find("abc"); err == nil {
		t.Fatal("Find on a closed pool succeeded")
	}
	if err := s.Commit("abc", []byte("x"), time.Now().Add(time.Hour)); err == nil {
		t.Fatal("Commit on a closed pool succeeded")
	}

	nowhere, err := pgxpool.New(context.Background(), "postgres://postgres@/postgres?host="+t.TempDir()+"&connect_timeout=2")
	if err != nil {
		t.Fatal(err)
	}
	defer nowhere.Close()
	s2 := postgresstore.New(nowhere)
	defer s2.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, _, err := s2.FindCtx(ctx, "abc"); err == nil {
		t.Fatal("Find against no server succeeded")
	}
	if ctx.Err() != nil {
		t.Fatal("Find against no server ran into its context deadline instead of failing")
	}
}

// TestBackgroundCleanup: a store with cleanup on deletes expired sessions by
// itself. The test waits for the reaper's OnCleanup signal, not a timer.
func TestBackgroundCleanup(t *testing.T) {
	pool, _ := migratedPool(t)
	ran := make(chan sessionsql.RunStats, 100)
	s, err := postgresstore.NewWithConfig(pool, postgresstore.Config{Config: sessionsql.Config{CleanupInterval: time.Millisecond, OnCleanup: func(st sessionsql.RunStats) {
		select {
		case ran <- st:
		default: // the test has seen enough runs
		}
	}}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	if err := s.CommitCtx(ctx, "expired", []byte("x"), time.Now().Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := s.CommitCtx(ctx, "live", []byte("x"), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	var deleted int64
	for deleted < 1 {
		st := <-ran
		if st.Err != nil {
			t.Fatalf("cleanup run failed: %v", st.Err)
		}
		deleted += st.Deleted
	}
	var left []string
	rows, _ := pool.Query(ctx, `SELECT token FROM sessions`)
	for rows.Next() {
		var tok string
		_ = rows.Scan(&tok)
		left = append(left, tok)
	}
	if rows.Err() != nil || len(left) != 1 || left[0] != "live" {
		t.Fatalf("rows left after cleanup: %v (err %v), want [live]", left, rows.Err())
	}
	if s.Reaper().Stats().TotalDeleted != deleted {
		t.Fatalf("Reaper().Stats() does not match the runs reported")
	}
}

func TestNewDefaultsRunCleanup(t *testing.T) {
	pool, _ := migratedPool(t)
	s := postgresstore.New(pool)
	if !s.Reaper().Running() {
		t.Fatal("New(pool) runs no background cleanup; scs users expect one")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if s.Reaper().Running() {
		t.Fatal("Close left the cleanup running")
	}

	// Cleanup off: nothing runs, but RunOnce is there for a cron job.
	s2, err := postgresstore.NewWithConfig(pool, postgresstore.Config{Config: sessionsql.Config{CleanupInterval: -1}})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if s2.Reaper().Running() {
		t.Fatal("negative CleanupInterval still runs a cleanup")
	}
	ctx := context.Background()
	if err := s2.CommitCtx(ctx, "old", []byte("x"), time.Now().Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	if st, err := s2.Reaper().RunOnce(ctx); err != nil || st.Deleted != 1 {
		t.Fatalf("Reaper().RunOnce with cleanup off = (%+v, %v), want 1 deleted", st, err)
	}
}
