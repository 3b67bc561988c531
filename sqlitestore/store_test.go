package sqlitestore_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sessionsql/sessionsql"
	"github.com/sessionsql/sessionsql/sqlitestore"
)

func TestInvalidTableNames(t *testing.T) {
	db := openMigrated(t, filepath.Join(t.TempDir(), "x.db"))
	for _, name := range []string{`sessions; DROP TABLE users`, `"sessions"`, `a.b.c`, `1x`, `x y`, strings.Repeat("x", 64)} {
		if s, err := sqlitestore.NewWithConfig(db, sqlitestore.Config{Config: sessionsql.Config{TableName: name}}); err == nil || s != nil {
			t.Errorf("NewWithConfig(TableName %q) = (%v, %v), want an error", name, s, err)
		}
		if s, err := sqlitestore.Open(filepath.Join(t.TempDir(), "y.db"), sqlitestore.Config{Config: sessionsql.Config{TableName: name}}); err == nil || s != nil {
			t.Errorf("Open(TableName %q) = (%v, %v), want an error", name, s, err)
		}
	}
}

// TestNilDB: a nil *sql.DB is a programming error, said at once.
func TestNilDB(t *testing.T) {
	for name, build := range map[string]func(){
		"New":           func() { sqlitestore.New(nil) },
		"NewWithConfig": func() { _, _ = sqlitestore.NewWithConfig(nil, sqlitestore.Config{}) },
	} {
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "*sql.DB is nil") {
					t.Errorf("%s(nil) panicked with %v, want a message naming the nil *sql.DB", name, r)
				}
			}()
			build()
		}()
	}
}

func TestOpenBadPath(t *testing.T) {
	if _, err := sqlitestore.Open("", sqlitestore.Config{}); err == nil {
		t.Fatal(`Open("") succeeded`)
	}
	dir := filepath.Join(t.TempDir(), "no", "such", "dir", "x.db")
	if _, err := sqlitestore.Open(dir, sqlitestore.Config{}); err == nil || !strings.Contains(err.Error(), dir) {
		t.Fatalf("Open in a missing directory = %v, want an error naming the path", err)
	}
}

// TestOpenURI: a "file:" URI is refused with what to do, before any file
// is created.
func TestOpenURI(t *testing.T) {
	dir := t.TempDir()
	uri := "file:" + filepath.Join(dir, "x.db") + "?mode=rwc"
	if _, err := sqlitestore.Open(uri, sqlitestore.Config{}); err == nil || !strings.Contains(err.Error(), "New") {
		t.Fatalf("Open(%q) = %v, want an error saying to use New", uri, err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("Open of a URI left %d files behind", len(entries))
	}
}

// TestOpenOddPath: characters a URI would misread are fine in a path.
func TestOpenOddPath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a dir?#%", "sessions 1.db")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	s, err := sqlitestore.Open(path, sqlitestore.Config{Config: sessionsql.Config{CleanupInterval: -1}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Commit("tok", []byte("x"), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the database is not at the path given: %v", err)
	}
}

func TestMissingTable(t *testing.T) {
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "empty.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s, err := sqlitestore.NewWithConfig(db, sqlitestore.Config{Config: sessionsql.Config{CleanupInterval: -1}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, _, err := s.Find("abc"); !errors.Is(err, sessionsql.ErrNoTable) {
		t.Fatalf("Find without the table: %v, want sessionsql.ErrNoTable", err)
	}
}

// TestMissingCustomTable: the migrations create only "sessions", so Open
// with another TableName, and New's operations on one, fail with
// sessionsql.ErrNoTable saying to create the table, not to migrate again.
func TestMissingCustomTable(t *testing.T) {
	check := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, sessionsql.ErrNoTable) || !strings.Contains(err.Error(), `the migrations create only "sessions"`) || !strings.Contains(err.Error(), "create app_sessions yourself") {
			t.Errorf("%s: %v, want sessionsql.ErrNoTable saying to create app_sessions", what, err)
		}
	}
	s, err := sqlitestore.Open(filepath.Join(t.TempDir(), "custom.db"), sqlitestore.Config{Config: sessionsql.Config{TableName: "app_sessions", CleanupInterval: -1}})
	if s != nil {
		s.Close()
	}
	check("Open", err)

	db := openMigrated(t, filepath.Join(t.TempDir(), "migrated.db"))
	s, err = sqlitestore.NewWithConfig(db, sqlitestore.Config{Config: sessionsql.Config{TableName: "app_sessions", CleanupInterval: -1}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, _, err = s.Find("abc")
	check("Find", err)
	check("Commit", s.Commit("abc", []byte("x"), time.Now().Add(time.Hour)))
}

// TestDatabaseGone: a *sql.DB closed under the store gives errors, not
// panics, and the store's own Close still works.
func TestDatabaseGone(t *testing.T) {
	db := openMigrated(t, filepath.Join(t.TempDir(), "gone.db"))
	s, err := sqlitestore.NewWithConfig(db, sqlitestore.Config{Config: sessionsql.Config{CleanupInterval: -1}})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, _, err := s.Find("abc"); err == nil {
		t.Fatal("Find on a closed *sql.DB succeeded")
	}
	if err := s.Commit("abc", []byte("x"), time.Now().Add(time.Hour)); err == nil {
		t.Fatal("Commit on a closed *sql.DB succeeded")
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

// TestNewNeverClosesCallersDB: Close leaves a *sql.DB passed to New open.
func TestNewNeverClosesCallersDB(t *testing.T) {
	db := openMigrated(t, filepath.Join(t.TempDir(), "mine.db"))
	s := sqlitestore.New(db)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Ping(); err != nil {
		t.Fatalf("the caller's db was closed by Store.Close: %v", err)
	}
}

// TestOpenSurvivesReopen: sessions are in the file, not in memory.
func TestOpenSurvivesReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "persist.db")
	s, err := sqlitestore.Open(path, sqlitestore.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Commit("tok", []byte("kept"), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = sqlitestore.Open(path, sqlitestore.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if b, found, err := s.Find("tok"); err != nil || !found || string(b) != "kept" {
		t.Fatalf("after reopening: (%q, %v, %v), want the committed session", b, found, err)
	}
}

// TestNoBusyErrorsUnderLoad: 32 goroutines committing and finding at once,
// plus a cleanup run, never see SQLITE_BUSY ("database is locked").
func TestNoBusyErrorsUnderLoad(t *testing.T) {
	s, err := sqlitestore.Open(filepath.Join(t.TempDir(), "busy.db"), sqlitestore.Config{Config: sessionsql.Config{CleanupInterval: -1}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	var wg sync.WaitGroup
	errc := make(chan error, 64)
	for w := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 100 {
				tok := fmt.Sprintf("w%d-%d", w, i%10)
				exp := time.Now().Add(time.Hour)
				if i%7 == 0 {
					exp = time.Now().Add(-time.Hour)
				}
				if err := s.CommitCtx(ctx, tok, []byte(tok), exp); err != nil {
					errc <- err
					return
				}
				if _, _, err := s.FindCtx(ctx, fmt.Sprintf("w%d-%d", (w+1)%32, i%10)); err != nil {
					errc <- err
					return
				}
				if i%25 == 0 {
					if _, err := s.DeleteExpired(ctx, 50); err != nil {
						errc <- err
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Errorf("operation failed under load: %v", err)
	}
}

func TestBackgroundCleanup(t *testing.T) {
	ran := make(chan sessionsql.RunStats, 1)
	s, err := sqlitestore.Open(filepath.Join(t.TempDir(), "reap.db"), sqlitestore.Config{Config: sessionsql.Config{CleanupInterval: time.Millisecond, OnCleanup: func(st sessionsql.RunStats) {
		select {
		case ran <- st:
		default:
		}
	}}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Commit("expired", []byte("x"), time.Now().Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit("live", []byte("x"), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	for s.Reaper().Stats().TotalDeleted < 1 {
		if st := <-ran; st.Err != nil {
			t.Fatalf("cleanup run failed: %v", st.Err)
		}
	}
	if n, err := s.DeleteExpired(context.Background(), 0); err != nil || n != 0 {
		t.Fatalf("expired rows left after cleanup: %d (err %v)", n, err)
	}
	if _, found, _ := s.Find("live"); !found {
		t.Fatal("cleanup deleted a live session")
	}
}

// TestMmapSize: a store from Open reads its file through memory mapping,
// writer and readers alike, as Config.MmapSize says.
func TestMmapSize(t *testing.T) {
	for _, c := range []struct {
		set, want int64
	}{{0, sqlitestore.DefaultMmapSize}, {64 << 20, 64 << 20}, {-1, 0}} {
		s, err := sqlitestore.OpenInside(filepath.Join(t.TempDir(), "mmap.db"), sqlitestore.Config{Config: sessionsql.Config{CleanupInterval: -1}, MmapSize: c.set})
		if err != nil {
			t.Fatal(err)
		}
		w, r, err := s.Pragma("mmap_size")
		s.Close()
		if err != nil || w != c.want || r != c.want {
			t.Errorf("MmapSize %d: mmap_size writer %d, reader %d (%v); want %d", c.set, w, r, err, c.want)
		}
	}
}

// TestCheckpointSettings: the writer of a store from Open leaves room for
// 10,000 pages in the WAL before it checkpoints, and a checkpoint trims a
// bigger WAL file back to 64 MiB.
func TestCheckpointSettings(t *testing.T) {
	s, err := sqlitestore.OpenInside(filepath.Join(t.TempDir(), "wal.db"), sqlitestore.Config{Config: sessionsql.Config{CleanupInterval: -1}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for name, want := range map[string]int64{"wal_autocheckpoint": 10_000, "journal_size_limit": 64 << 20} {
		if w, _, err := s.Pragma(name); err != nil || w != want {
			t.Errorf("writer's %s = %d (%v), want %d", name, w, err, want)
		}
	}
}
