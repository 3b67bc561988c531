package sqlitestore_test

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sessionsql/sessionsql"
	"github.com/sessionsql/sessionsql/sqlitestore"
)

// committerEnv, when set to a database path, turns the test binary into an
// app that commits sessions from 8 goroutines as fast as it can and prints
// each token once its Commit has returned nil, until it is killed.
const committerEnv = "SESSIONSQL_SQLITE_COMMITTER_DB"

func committerProcess(path string) int {
	st, err := sqlitestore.Open(path, sqlitestore.Config{Config: sessionsql.Config{CleanupInterval: -1}})
	if err != nil {
		fmt.Fprintln(os.Stderr, "open:", err)
		return 1
	}
	out := bufio.NewWriter(os.Stdout)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := 0; ; i++ {
				tok := fmt.Sprintf("g%d-%d", g, i)
				if err := st.CommitCtx(context.Background(), tok, fmt.Appendf(nil, "data of %s", tok), time.Now().Add(time.Hour)); err != nil {
					fmt.Fprintln(os.Stderr, "commit:", err)
					os.Exit(1)
				}
				mu.Lock()
				fmt.Fprintln(out, tok) // acknowledged: Commit returned nil
				out.Flush()
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return 0
}

// TestKillDuringCommits kills (SIGKILL) a process in the middle of
// committing from 8 goroutines: the file it leaves passes SQLite's
// integrity check, and every session whose Commit had returned is there
// with its data.
func TestKillDuringCommits(t *testing.T) {
	for round := range 3 {
		path := filepath.Join(t.TempDir(), fmt.Sprintf("crash-%d.db", round))
		// A hang guard: a committer that stalls before the kill point is
		// killed after a minute, and the count check below fails.
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), committerEnv+"="+path)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		var acked []string
		lines := bufio.NewScanner(stdout)
		for lines.Scan() {
			acked = append(acked, lines.Text())
			if len(acked) == 2000+round*1500 { // mid-stream, at a different point each round
				if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
					t.Fatal(err)
				}
			}
		}
		_ = cmd.Wait()
		if len(acked) < 2000 {
			t.Fatalf("round %d: the committer stopped after %d commits", round, len(acked))
		}

		db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
		if err != nil {
			t.Fatal(err)
		}
		var check string
		if err := db.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
			t.Fatalf("round %d: integrity_check = %q, %v", round, check, err)
		}
		db.Close()
		st, err := sqlitestore.Open(path, sqlitestore.Config{Config: sessionsql.Config{CleanupInterval: -1}})
		if err != nil {
			t.Fatal(err)
		}
		for _, tok := range acked {
			data, found, err := st.Find(tok)
			if err != nil || !found || string(data) != "data of "+tok {
				t.Fatalf("round %d: acknowledged session %s after the crash: %q, %v, %v", round, tok, data, found, err)
			}
		}
		st.Close()
		t.Logf("round %d: %d acknowledged commits, all present after SIGKILL", round, len(acked))
	}
}

// TestReadOnlyDatabase: a store over a database it cannot write reports
// each Commit as an error that says so, and still reads its sessions.
func TestReadOnlyDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ro.db")
	st, err := sqlitestore.Open(path, sqlitestore.Config{Config: sessionsql.Config{CleanupInterval: -1}})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Commit("kept", []byte("still here"), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	st.Close()

	ro, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	s, err := sqlitestore.NewWithConfig(ro, sqlitestore.Config{Config: sessionsql.Config{CleanupInterval: -1}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.Commit("new", []byte("x"), time.Now().Add(time.Hour))
	if err == nil || !containsAny(err.Error(), "readonly", "read-only") {
		t.Fatalf("Commit on a read-only database = %v, want an error saying it is read-only", err)
	}
	if data, found, err := s.Find("kept"); err != nil || !found || string(data) != "still here" {
		t.Fatalf("Find on a read-only database = %q, %v, %v", data, found, err)
	}
}

// TestFullDatabase: when the file cannot grow (max_page_count reached),
// Commit reports that the database is full, nothing is half written, and
// the sessions already there stay readable.
func TestFullDatabase(t *testing.T) {
	db := openMigrated(t, filepath.Join(t.TempDir(), "full.db"))
	db.SetMaxOpenConns(1) // max_page_count is set per connection
	s, err := sqlitestore.NewWithConfig(db, sqlitestore.Config{Config: sessionsql.Config{CleanupInterval: -1}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Commit("kept", []byte("small"), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	var pages int
	if err := db.QueryRow("PRAGMA page_count").Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(fmt.Sprintf("PRAGMA max_page_count = %d", pages+2)); err != nil {
		t.Fatal(err)
	}
	big := make([]byte, 64<<10) // needs far more than two more pages
	err = s.Commit("big", big, time.Now().Add(time.Hour))
	if err == nil || !containsAny(err.Error(), "full") {
		t.Fatalf("Commit into a full database = %v, want an error saying it is full", err)
	}
	if _, found, err := s.Find("big"); err != nil || found {
		t.Fatalf("the failed Commit left a session: %v, %v", found, err)
	}
	if data, found, err := s.Find("kept"); err != nil || !found || string(data) != "small" {
		t.Fatalf("Find in a full database = %q, %v, %v", data, found, err)
	}
}

func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
