package postgresstore_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/sessionsql/sessionsql"
	"github.com/sessionsql/sessionsql/postgresstore"
)

// TestDeleteExpiredLockHeld: while another instance holds the table's
// reaper lock, DeleteExpired deletes nothing and says so; RunOnce waits
// for the lock and then deletes everything.
func TestDeleteExpiredLockHeld(t *testing.T) {
	s, pool := quietStore(t)
	ctx := context.Background()
	seedExpired(t, pool, 30)

	other, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Exec(ctx, `SELECT pg_advisory_xact_lock($1::int4, ('sessions'::regclass::oid::bigint - 2147483648)::int4)`,
		postgresstore.ReaperLockClass); err != nil {
		t.Fatal(err)
	}
	n, err := s.DeleteExpired(ctx, 10)
	if !errors.Is(err, sessionsql.ErrLockHeld) || n != 0 {
		t.Fatalf("DeleteExpired while another instance holds the lock = (%d, %v), want (0, sessionsql.ErrLockHeld)", n, err)
	}

	sawLock := make(chan struct{})
	var once sync.Once
	reaper := sessionsql.NewReaper(deleterFunc(func(ctx context.Context, limit int) (int64, error) {
		n, err := s.DeleteExpired(ctx, limit)
		if errors.Is(err, sessionsql.ErrLockHeld) {
			once.Do(func() { close(sawLock) })
		}
		return n, err
	}), sessionsql.ReaperConfig{BatchSize: 10})
	done := make(chan sessionsql.RunStats, 1)
	go func() {
		st, _ := reaper.RunOnce(ctx)
		done <- st
	}()
	<-sawLock // RunOnce met the held lock and is waiting for it
	if err := other.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	st := <-done
	if st.Err != nil || st.Deleted != 30 {
		t.Fatalf("RunOnce after the lock was released = %+v, want 30 deleted", st)
	}
}

type deleterFunc func(ctx context.Context, limit int) (int64, error)

func (f deleterFunc) DeleteExpired(ctx context.Context, limit int) (int64, error) {
	return f(ctx, limit)
}

// TestDeleteExpiredSkipsLockedRows: a batch never waits for a row a live
// request holds; it deletes the rest and leaves that row for later.
func TestDeleteExpiredSkipsLockedRows(t *testing.T) {
	s, pool := quietStore(t)
	ctx := context.Background()
	seedExpired(t, pool, 5)
	request, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer request.Rollback(ctx)
	if _, err := request.Exec(ctx, `SELECT 1 FROM sessions WHERE token = 'old-3' FOR UPDATE`); err != nil {
		t.Fatal(err)
	}

	guard, cancel := context.WithTimeout(ctx, 10*time.Second) // a hang guard
	defer cancel()
	n, err := s.DeleteExpired(guard, 0)
	if err != nil || n != 4 {
		t.Fatalf("DeleteExpired with one row locked = (%d, %v), want the 4 free rows", n, err)
	}
	n, err = s.DeleteExpired(guard, 10)
	if err != nil || n != 0 {
		t.Fatalf("second DeleteExpired with the row still locked = (%d, %v), want (0, nil)", n, err)
	}
	if err := request.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := s.DeleteExpired(guard, 10); err != nil || n != 1 {
		t.Fatalf("DeleteExpired after the request finished = (%d, %v), want the last row", n, err)
	}
}

// TestCancelMidQuery: an operation stuck behind a lock returns when its
// context ends, with the context's error, and the store keeps working.
func TestCancelMidQuery(t *testing.T) {
	s, pool := quietStore(t)
	ctx := context.Background()
	if err := s.CommitCtx(ctx, "busy", []byte("v1"), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	holder, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Rollback(ctx)
	if _, err := holder.Exec(ctx, `SELECT 1 FROM sessions WHERE token = 'busy' FOR UPDATE`); err != nil {
		t.Fatal(err)
	}

	deadline, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	err = s.CommitCtx(deadline, "busy", []byte("v2"), time.Now().Add(time.Hour))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Commit blocked past its deadline returned %v, want context.DeadlineExceeded", err)
	}
	// The abandoned statement must be gone from the server, not waiting to
	// land after the next Commit (it would overwrite it). The server acts
	// on the cancel request asynchronously: wait (bounded) until nothing
	// waits on the row lock any more.
	waitFor(t, func() bool { return lockWaits(t, pool) == 0 })
	if err := holder.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.CommitCtx(ctx, "busy", []byte("v3"), time.Now().Add(time.Hour)); err != nil {
		t.Fatalf("Commit after the cancelled one: %v", err)
	}
	if b, _, err := s.FindCtx(ctx, "busy"); err != nil || string(b) != "v3" {
		t.Fatalf("Find = (%q, %v), want v3", b, err)
	}
}

// TestDeleteExpiredRunStartsOver: within a run, batches continue from
// where the last one stopped; a short batch ends the run, and the next run
// starts from the oldest row again, so a row skipped because a request held
// it is deleted once it is free.
func TestDeleteExpiredRunStartsOver(t *testing.T) {
	s, pool := quietStore(t)
	ctx := context.Background()
	seedExpired(t, pool, 25)
	request, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer request.Rollback(ctx)
	if _, err := request.Exec(ctx, `SELECT 1 FROM sessions WHERE token = 'old-1' FOR UPDATE`); err != nil { // the oldest
		t.Fatal(err)
	}
	var got []int64
	for range 3 {
		n, err := s.DeleteExpired(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, n)
	}
	if got[0] != 10 || got[1] != 10 || got[2] != 4 {
		t.Fatalf("batches with the oldest row held = %v, want [10 10 4]", got)
	}
	if err := request.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := s.DeleteExpired(ctx, 10); err != nil || n != 1 {
		t.Fatalf("next run = (%d, %v), want the 1 row that was held", n, err)
	}
}
