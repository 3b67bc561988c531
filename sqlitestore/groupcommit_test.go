package sqlitestore

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sessionsql/sessionsql"
)

func openGrouped(t *testing.T) (Inside, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "group.db")
	s, err := OpenInside(path, Config{Config: sessionsql.Config{CleanupInterval: -1}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if s.d.writes.conn == nil {
		t.Fatal("a store from Open on a file does not write in groups")
	}
	return s, path
}

// countGroups counts the batches of more than one write s runs from now
// on; set it before s writes.
func countGroups(s Inside) *atomic.Int64 {
	var groups atomic.Int64
	s.d.writes.batches.OnRun = func(n int) {
		if n > 1 {
			groups.Add(1)
		}
	}
	return &groups
}

// TestGroupCommitIsolatesAFailure: many writes at once share transactions;
// one that fails (a trigger refuses its token) reports its own error and
// every other write lands.
func TestGroupCommitIsolatesAFailure(t *testing.T) {
	s, path := openGrouped(t)
	ctx := context.Background()
	if _, err := OtherConnection(t, path).ExecContext(ctx, `CREATE TRIGGER refuse BEFORE INSERT ON sessions
		WHEN NEW.token LIKE 'bad-%' BEGIN SELECT RAISE(ABORT, 'refused'); END`); err != nil {
		t.Fatal(err)
	}
	groups := countGroups(s)
	const writers, rounds = 32, 20
	for round := 0; groups.Load() == 0 || round < rounds; round++ {
		if round > 200 {
			t.Fatal("200 rounds of 32 concurrent writes never formed a group")
		}
		var wg sync.WaitGroup
		errs := make([]error, writers)
		start := make(chan struct{})
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				tok := fmt.Sprintf("r%d-w%d", round, w)
				if w == 7 {
					tok = "bad-" + tok
				}
				errs[w] = s.CommitCtx(ctx, tok, []byte(tok), time.Now().Add(time.Hour))
			}()
		}
		close(start)
		wg.Wait()
		for w, err := range errs {
			if w == 7 {
				if err == nil || !errorsContain(err, "refused") {
					t.Fatalf("the refused write returned %v", err)
				}
				continue
			}
			if err != nil {
				t.Fatalf("round %d writer %d failed beside the refused write: %v", round, w, err)
			}
		}
	}
	all, err := s.All()
	if err != nil {
		t.Fatal(err)
	}
	for tok, data := range all {
		if string(data) != tok || tok[:4] == "bad-" {
			t.Fatalf("unexpected row %q = %q", tok, data)
		}
	}
	t.Logf("%d groups, %d rows", groups.Load(), len(all))
}

func errorsContain(err error, s string) bool {
	return err != nil && contains(err.Error(), s)
}

func contains(haystack, needle string) bool {
	for i := 0; i+len(needle) <= len(haystack); i++ {
		if haystack[i:i+len(needle)] == needle {
			return true
		}
	}
	return false
}

// TestGroupCommitAbandonedWriteNeverLands: a write whose context ends
// while it waits behind a blocked writer returns the context's error and is
// never written, even after the writer is free again.
func TestGroupCommitAbandonedWriteNeverLands(t *testing.T) {
	s, path := openGrouped(t)
	ctx := context.Background()
	release := HoldWriteLock(t, path) // another process holds the write lock
	running := make(chan int, 1)
	s.d.writes.batches.OnRun = func(n int) {
		select {
		case running <- n:
		default:
		}
	}

	first := make(chan error, 1)
	go func() { first <- s.CommitCtx(ctx, "first", []byte("1"), time.Now().Add(time.Hour)) }()
	<-running // the writer is now waiting for the lock with "first"; "second" queues
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if err := s.CommitCtx(short, "second", []byte("2"), time.Now().Add(time.Hour)); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("the queued write returned %v, want context.DeadlineExceeded", err)
	}
	release()
	if err := <-first; err != nil {
		t.Fatalf("the write that waited for the lock: %v", err)
	}
	if _, found, _ := s.Find("second"); found {
		t.Fatal("a write that returned an error was written")
	}
	if _, found, _ := s.Find("first"); !found {
		t.Fatal("the write that waited was lost")
	}
}

// TestGroupCommitClose: writes after Close fail with sessionsql.ErrClosed.
func TestGroupCommitClose(t *testing.T) {
	s, _ := openGrouped(t)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.d.writes.exec(context.Background(), writeCommit, "x", []byte("x"), int64(0)); !errors.Is(err, sessionsql.ErrClosed) {
		t.Fatalf("a write after Close returned %v, want sessionsql.ErrClosed", err)
	}
}

// TestGroupedStat: Stats().Grouped counts the writes committed in shared
// transactions: at least two for every group, never more than were written.
func TestGroupedStat(t *testing.T) {
	s, _ := openGrouped(t)
	ctx := context.Background()
	groups := countGroups(s)
	for round := 0; groups.Load() == 0; round++ {
		if round > 200 {
			t.Fatal("200 rounds of 32 concurrent writes never formed a group")
		}
		var wg sync.WaitGroup
		for w := range 32 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := s.CommitCtx(ctx, fmt.Sprintf("r%d-w%d", round, w), []byte("x"), time.Now().Add(time.Hour)); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
	}
	st := s.Stats()
	if st.Grouped < 2*groups.Load() || st.Grouped > st.Writes {
		t.Fatalf("Stats().Grouped = %d after %d groups and %d writes, want between %d and %d",
			st.Grouped, groups.Load(), st.Writes, 2*groups.Load(), st.Writes)
	}
}
