package sqlitestore_test

import (
	"context"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/sessionsql/sessionsql"
	"github.com/sessionsql/sessionsql/sqlitestore"
)

// TestReadConns: ReadConns caps the read connections, 4 × GOMAXPROCS at
// Open, 16 to 64, by default, and they open only as reads need them.
func TestReadConns(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, c := range []struct{ procs, set, want int }{
		{1, 0, 16},
		{8, 0, 32},
		{32, 0, 64},
		{8, -1, 32},
		{8, 3, 3},
	} {
		runtime.GOMAXPROCS(c.procs)
		s, err := sqlitestore.OpenInside(filepath.Join(t.TempDir(), "conns.db"), sqlitestore.Config{Config: sessionsql.Config{CleanupInterval: -1}, ReadConns: c.set})
		if err != nil {
			t.Fatal(err)
		}
		opened := s.ReaderStats().OpenConnections
		_, _, findErr := s.Find("tok")
		st := s.ReaderStats()
		s.Close()
		if findErr != nil {
			t.Fatal(findErr)
		}
		if st.MaxOpenConnections != c.want {
			t.Errorf("GOMAXPROCS %d, ReadConns %d: %d read connections at most, want %d", c.procs, c.set, st.MaxOpenConnections, c.want)
		}
		if opened != 0 || st.OpenConnections != 1 {
			t.Errorf("GOMAXPROCS %d, ReadConns %d: %d read connections open after Open and %d after one Find, want 0 and 1", c.procs, c.set, opened, st.OpenConnections)
		}
	}
}

// TestConcurrentFindsNeverWait: with the default ReadConns, 16 goroutines
// finding at once never wait for a read connection.
func TestConcurrentFindsNeverWait(t *testing.T) {
	s, err := sqlitestore.OpenInside(filepath.Join(t.TempDir(), "wait.db"), sqlitestore.Config{Config: sessionsql.Config{CleanupInterval: -1}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	if err := s.CommitCtx(ctx, "tok", []byte("data"), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	start := make(chan struct{})
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			<-start
			for range 200 {
				if _, found, err := s.FindCtx(ctx, "tok"); err != nil || !found {
					t.Errorf("Find: (%v, %v), want the session", found, err)
					return
				}
			}
		})
	}
	close(start)
	wg.Wait()
	if st := s.ReaderStats(); st.MaxOpenConnections < 16 || st.WaitCount != 0 {
		t.Errorf("16 concurrent Finds waited %d times for a read connection (%d open, at most %d), want never", st.WaitCount, st.OpenConnections, st.MaxOpenConnections)
	}
}
