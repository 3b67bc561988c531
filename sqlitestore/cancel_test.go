package sqlitestore_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/sessionsql/sessionsql"
	"github.com/sessionsql/sessionsql/sqlitestore"
)

// TestCancelWhileAnotherProcessWrites: another process holds the file's
// write lock; a Commit waiting for it returns when its context ends, with
// the context's error, and works again once the lock is gone.
func TestCancelWhileAnotherProcessWrites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "locked.db")
	s, err := sqlitestore.Open(path, sqlitestore.Config{Config: sessionsql.Config{CleanupInterval: -1}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()

	release := sqlitestore.HoldWriteLock(t, path)

	deadline, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = s.CommitCtx(deadline, "tok", []byte("x"), time.Now().Add(time.Hour))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Commit while another process writes = %v, want context.DeadlineExceeded", err)
	}
	if waited := time.Since(start); waited > 3*time.Second { // a hang guard: well under the 5s busy timeout
		t.Fatalf("Commit returned %v after its deadline", waited-300*time.Millisecond)
	}

	release()
	if err := s.CommitCtx(ctx, "tok", []byte("y"), time.Now().Add(time.Hour)); err != nil {
		t.Fatalf("Commit after the other process let go: %v", err)
	}
	if b, found, err := s.FindCtx(ctx, "tok"); err != nil || !found || string(b) != "y" {
		t.Fatalf("Find = (%q, %v, %v), want y", b, found, err)
	}
}
