package sqlitestore_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/sessionsql/sessionsql"
	"github.com/sessionsql/sessionsql/sqlitestore"
)

// helperEnv, when set to a database path, turns the test binary into one
// instance of an app: it opens the store, commits and finds a session, and
// exits 0 on success.
const helperEnv = "SESSIONSQL_SQLITE_HELPER_DB"

func helperProcess(path string) int {
	// Line up with the other processes: say we are ready, then wait for
	// the go signal, so that every Open hits the new file at once.
	if err := os.WriteFile(fmt.Sprintf("%s.ready.%d", path, os.Getpid()), nil, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	for !exists(path + ".go") {
		time.Sleep(time.Millisecond)
	}
	st, err := sqlitestore.Open(path, sqlitestore.Config{Config: sessionsql.Config{CleanupInterval: -1}})
	if err != nil {
		fmt.Fprintln(os.Stderr, "open:", err)
		return 1
	}
	defer st.Close()
	ctx := context.Background()
	tok := fmt.Sprintf("pid-%d", os.Getpid())
	for i := range 20 {
		if err := st.CommitCtx(ctx, tok, fmt.Appendf(nil, "%d", i), time.Now().Add(time.Hour)); err != nil {
			fmt.Fprintln(os.Stderr, "commit:", err)
			return 1
		}
		if _, found, err := st.FindCtx(ctx, tok); err != nil || !found {
			fmt.Fprintln(os.Stderr, "find:", found, err)
			return 1
		}
	}
	return 0
}

// TestOpenFromSeveralProcesses starts six processes that open the same new
// file at the same moment, as instances of an app started together do, and
// use it: none may fail, "database is locked" included.
func TestOpenFromSeveralProcesses(t *testing.T) {
	const processes, rounds = 6, 10
	for round := range rounds {
		path := filepath.Join(t.TempDir(), fmt.Sprintf("shared-%d.db", round))
		var wg sync.WaitGroup
		errs := make(chan error, processes)
		for range processes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// A hang guard: a helper still running after a minute is
				// killed, and its error fails the round.
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				defer cancel()
				cmd := exec.CommandContext(ctx, os.Args[0])
				cmd.Env = append(os.Environ(), helperEnv+"="+path)
				if out, err := cmd.CombinedOutput(); err != nil {
					errs <- fmt.Errorf("%v: %s", err, out)
				}
			}()
		}
		for {
			ready, _ := filepath.Glob(path + ".ready.*")
			if len(ready) == processes {
				break
			}
			time.Sleep(time.Millisecond) // processes starting up; no signal crosses a process boundary cheaper
		}
		if err := os.WriteFile(path+".go", nil, 0o644); err != nil {
			t.Fatal(err)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("round %d: a process failed: %v", round, err)
		}
		st, err := sqlitestore.Open(path, sqlitestore.Config{Config: sessionsql.Config{CleanupInterval: -1}})
		if err != nil {
			t.Fatal(err)
		}
		all, err := st.All()
		st.Close()
		if err != nil || len(all) != processes {
			t.Fatalf("round %d: %d sessions in the shared file (err %v), want one per process", round, len(all), err)
		}
	}
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
