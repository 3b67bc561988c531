package postgresstore_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sessionsql/sessionsql"
	"github.com/sessionsql/sessionsql/internal/pgtest"
	"github.com/sessionsql/sessionsql/postgresstore"
)

// TestFailover: a primary and a streaming replica, an app on a multi-host
// URL that asks for the read-write one; the primary crashes under load and
// the replica is promoted. Commits fail while no server takes writes, each
// with its error returned; they succeed again once the promotion is done,
// with no restart of the app; with synchronous replication no Commit that
// returned nil is lost; the background Reaper carries on; and nothing is
// left running.
func TestFailover(t *testing.T) {
	for _, synchronous := range []bool{true, false} {
		t.Run(replication(synchronous), func(t *testing.T) { failover(t, synchronous) })
	}
}

// replication names a kind of replication for a test's name and log.
func replication(synchronous bool) string {
	if synchronous {
		return "synchronous"
	}
	return "asynchronous"
}

func failover(t *testing.T, synchronous bool) {
	ctx := context.Background()
	primary, replica, url := startPair(t, synchronous)
	direct := poolAt(t, primary.URL("postgres"))
	if err := postgresstore.Migrate(ctx, direct); err != nil {
		t.Fatal(err)
	}
	direct.Close()
	waitForTable(t, replica) // as a replica in production has long had the schema

	pool := poolAt(t, url)
	reaped := make(chan sessionsql.RunStats, 1000)
	st, err := postgresstore.NewWithConfig(pool, postgresstore.Config{Config: sessionsql.Config{
		CleanupInterval: 50 * time.Millisecond,
		OnCleanup: func(r sessionsql.RunStats) {
			select {
			case reaped <- r:
			default: // full: never block the Reaper (the test drains the runs before the ones it counts)
			}
		},
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()

	var (
		mu       sync.Mutex
		acked    []string // Commits that returned nil
		failures int      // Commits that returned an error
		ackedNow atomic.Int64
		progress = make(chan struct{}, 1) // a Commit succeeded
	)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var lastErr atomic.Value
	var stopOnce sync.Once
	stopLoad := func() {
		stopOnce.Do(func() { close(stop) })
		wg.Wait()
	}
	t.Cleanup(stopLoad) // also when the test fails half way
	for w := range 8 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				tok := fmt.Sprintf("w%d-%d", w, i)
				opCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
				err := st.CommitCtx(opCtx, tok, []byte(tok), time.Now().Add(time.Hour))
				cancel()
				mu.Lock()
				if err == nil {
					acked = append(acked, tok)
					ackedNow.Add(1)
					select {
					case progress <- struct{}{}:
					default:
					}
				} else {
					failures++
					lastErr.Store(err)
				}
				mu.Unlock()
			}
		})
	}
	waitForAcks := func(n int64) {
		t.Helper()
		deadline := time.After(time.Minute) // a hang guard, not a timing goal
		for ackedNow.Load() < n {
			select {
			case <-progress:
			case <-deadline:
				t.Fatalf("only %d Commits succeeded, want %d; the last error: %v", ackedNow.Load(), n, lastErr.Load())
			}
		}
	}

	waitForAcks(200)
	crashed := time.Now()
	primary.Crash()
	beforePromotion := ackedNow.Load()
	if err := replica.Promote(ctx); err != nil {
		t.Fatal(err)
	}
	promoted := time.Since(crashed)
	waitForAcks(beforePromotion + 1) // writes again, on the promoted replica
	window := time.Since(crashed)
	waitForAcks(beforePromotion + 200)
	stopLoad()

	mu.Lock()
	defer mu.Unlock()
	if failures == 0 {
		t.Fatal("no Commit failed while the primary was down: errors were swallowed, or the crash missed the load")
	}
	missing := 0
	for _, tok := range acked {
		if _, found, err := st.FindCtx(ctx, tok); err != nil {
			t.Fatalf("Find after the failover: %v", err)
		} else if !found {
			missing++
		}
	}
	t.Logf("%s replication: %d Commits acknowledged, %d failed during the failover, %d acknowledged ones missing after it; the promotion took %v from the crash, and the first Commit after it succeeded %v after the crash",
		replication(synchronous), len(acked), failures, missing, promoted.Round(time.Millisecond), window.Round(time.Millisecond))
	if synchronous && missing > 0 {
		t.Fatalf("%d of %d acknowledged Commits were lost with synchronous replication", missing, len(acked))
	}

	// The Reaper carries on against the promoted replica: sessions that
	// expire now are deleted by its next runs.
	for len(reaped) > 0 {
		<-reaped // runs before these sessions were written
	}
	for i := range 50 {
		if err := st.CommitCtx(ctx, fmt.Sprintf("gone-%d", i), []byte("x"), time.Now().Add(-time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.After(time.Minute) // a hang guard
	for deleted := int64(0); deleted < 50; {
		select {
		case r := <-reaped:
			if r.Err == nil {
				deleted += r.Deleted
			}
		case <-deadline:
			t.Fatalf("the Reaper deleted %d of 50 expired sessions on the promoted replica", deleted)
		}
	}
	if rs := st.Reaper().Stats(); rs.Last.Err != nil && !errors.Is(rs.Last.Err, context.Canceled) {
		t.Fatalf("the Reaper's last run after the failover failed: %v", rs.Last.Err)
	}
}

// waitForTable returns once the sessions table has reached replica.
func waitForTable(t *testing.T, replica *pgtest.Server) {
	t.Helper()
	pool := poolAt(t, replica.URL("postgres"))
	defer pool.Close()
	deadline := time.Now().Add(time.Minute) // a hang guard
	for {
		var there bool
		err := pool.QueryRow(context.Background(), `SELECT to_regclass('sessions') IS NOT NULL`).Scan(&there)
		if err == nil && there {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the sessions table never reached the replica (%v)", err)
		}
		time.Sleep(10 * time.Millisecond) // polls another server's state: no signal to wait on
	}
}

// startPair starts a primary and a streaming replica of it, each listening
// on 127.0.0.1, stopped when t ends, and returns them and a multi-host URL
// that asks for the one that takes writes. With synchronous, every commit
// on the primary waits until the replica has it.
func startPair(t *testing.T, synchronous bool) (primary, replica *pgtest.Server, url string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ports := [2]int{}
	for i := range ports {
		ports[i] = pgtest.FreePort(t)
	}
	// A commit waits for its own WAL, as on a production server (the test
	// clusters' default is not to); with synchronous, for the replica's too.
	settings := []string{"wal_level=replica", "max_wal_senders=4", "synchronous_commit=on"}
	if synchronous {
		settings = append(settings, "synchronous_standby_names=*")
	}
	primary, err := pgtest.Start(ctx, pgtest.Options{TCPPort: ports[0], Settings: settings})
	if err != nil {
		skipOrFail(t, err)
	}
	t.Cleanup(primary.Stop)
	replica, err = pgtest.StartReplica(ctx, primary, pgtest.Options{TCPPort: ports[1]})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(replica.Stop)
	url = fmt.Sprintf("postgres://postgres@127.0.0.1:%d,127.0.0.1:%d/postgres?target_session_attrs=read-write&connect_timeout=2&sslmode=disable", ports[0], ports[1])
	return primary, replica, url
}

// skipOrFail skips t for want of PostgreSQL's binaries, or fails it in CI.
func skipOrFail(t *testing.T, err error) {
	t.Helper()
	if pgtest.InCI() {
		t.Fatal(err)
	}
	t.Skipf("skipping: %v", err)
}
