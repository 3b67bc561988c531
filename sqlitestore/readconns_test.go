package sqlitestore_test

import (
	"context"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/sessionsql/sessionsql/sqlitestore"
)

// TestReadConns: ReadConns caps the read connections, 4 × GOMAXPROCS,
// 16 to 64, by default, and they open only as reads need them.
func TestReadConns(t *testing.T) {
	for _, c := range []struct{ set, want int }{
		{0, min(64, max(16, 4*runtime.GOMAXPROCS(0)))},
		{3, 3},
	} {
		s, err := sqlitestore.Open(filepath.Join(t.TempDir(), "conns.db"), sqlitestore.Config{ReadConns: c.set, CleanupInterval: -1})
		if err != nil {
			t.Fatal(err)
		}
		st := sqlitestore.ReaderStats(s)
		s.Close()
		if st.MaxOpenConnections != c.want {
			t.Errorf("ReadConns %d: %d read connections at most, want %d", c.set, st.MaxOpenConnections, c.want)
		}
		if st.OpenConnections > 1 {
			t.Errorf("ReadConns %d: %d read connections open before any Find, want at most 1", c.set, st.OpenConnections)
		}
	}
}

// TestConcurrentFindsNeverWait: with the default ReadConns, 16 goroutines
// finding at once never wait for a read connection.
func TestConcurrentFindsNeverWait(t *testing.T) {
	s, err := sqlitestore.Open(filepath.Join(t.TempDir(), "wait.db"), sqlitestore.Config{CleanupInterval: -1})
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
	if st := sqlitestore.ReaderStats(s); st.WaitCount != 0 {
		t.Errorf("16 concurrent Finds waited %d times for a read connection (%d open), want never", st.WaitCount, st.OpenConnections)
	}
}
