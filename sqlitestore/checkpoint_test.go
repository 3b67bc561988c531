package sqlitestore_test

import (
	"context"
	"database/sql"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sessionsql/sessionsql"
	"github.com/sessionsql/sessionsql/sqlitestore"
)

// TestBackgroundCheckpoint: commits wake the checkpointer, which copies the
// WAL back into the database file on its own connection while the store
// is open.
func TestBackgroundCheckpoint(t *testing.T) {
	ran := make(chan error, 100)
	defer sqlitestore.OnCheckpoint(func(err error) { ran <- err })()
	path := filepath.Join(t.TempDir(), "cp.db")
	s, err := sqlitestore.Open(path, sqlitestore.Config{Config: sessionsql.Config{CleanupInterval: -1}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const sessions = 50
	for i := range sessions {
		if err := s.Commit(strings.Repeat("t", i+1), []byte("data"), time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	// A connection that reads the file alone, never the WAL (immutable),
	// sees the sessions once a checkpoint has copied them there.
	file, err := sql.Open("sqlite", "file:"+path+"?mode=ro&immutable=1")
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	file.SetMaxOpenConns(1)
	for checkpoints := 0; ; checkpoints++ {
		select {
		case err := <-ran:
			if err != nil {
				t.Fatalf("background checkpoint: %v", err)
			}
		case <-time.After(time.Minute): // a hang guard, not a timing goal
			t.Fatalf("no background checkpoint after %d commits", sessions)
		}
		var n int
		if err := file.QueryRow(`SELECT count(*) FROM sessions`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == sessions {
			return
		}
		if checkpoints > 20 {
			t.Fatalf("after %d background checkpoints the file holds %d of %d sessions", checkpoints, n, sessions)
		}
		file.Close() // immutable connections cache the file; look afresh
		if file, err = sql.Open("sqlite", "file:"+path+"?mode=ro&immutable=1"); err != nil {
			t.Fatal(err)
		}
	}
}

// TestCheckpointFailureSaidOnce: a checkpointer whose checkpoints fail
// keeps going and says so once, not at every attempt.
func TestCheckpointFailureSaidOnce(t *testing.T) {
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "gone.db"))
	if err != nil {
		t.Fatal(err)
	}
	db.Close() // every checkpoint fails: the database is closed
	var mu sync.Mutex
	var warnings []string
	logger := slog.New(handlerFunc(func(r slog.Record) {
		mu.Lock()
		warnings = append(warnings, r.Message)
		mu.Unlock()
	}))
	ran := make(chan error)
	written, stop := sqlitestore.StartCheckpointer(db, logger, func(err error) { ran <- err })
	for range 3 {
		written()
		if err := <-ran; err == nil {
			t.Fatal("a checkpoint on a closed database succeeded")
		}
	}
	if err := stop(); err != nil {
		t.Logf("close: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(warnings) != 1 {
		t.Fatalf("3 failed checkpoints logged %d warnings (%q), want 1", len(warnings), warnings)
	}
}

// handlerFunc is a slog.Handler that hands every record to a func.
type handlerFunc func(slog.Record)

func (h handlerFunc) Enabled(context.Context, slog.Level) bool      { return true }
func (h handlerFunc) Handle(_ context.Context, r slog.Record) error { h(r); return nil }
func (h handlerFunc) WithAttrs([]slog.Attr) slog.Handler            { return h }
func (h handlerFunc) WithGroup(string) slog.Handler                 { return h }
