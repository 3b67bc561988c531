package postgresstore_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/sessionsql/sessionsql"
	"github.com/sessionsql/sessionsql/postgresstore"
	"github.com/sessionsql/sessionsql/store/storetest"
)

// groupedStore is a store with one statement of each kind at a time, so
// that a test holding that statement up makes every later operation queue
// and then run together. queued receives a value each time an operation
// joins a queue.
func groupedStore(t *testing.T, pool *pgxpool.Pool, cfg postgresstore.Config) (postgresstore.Inside, chan struct{}) {
	t.Helper()
	return groupedStoreWaiting(t, pool, cfg, 100*time.Millisecond)
}

// groupedStoreWaiting is groupedStore whose grouped writes wait at most
// lockTimeout for a row lock.
func groupedStoreWaiting(t *testing.T, pool *pgxpool.Pool, cfg postgresstore.Config, lockTimeout time.Duration) (postgresstore.Inside, chan struct{}) {
	t.Helper()
	cfg.Concurrency, cfg.CleanupInterval = 1, -1
	s, err := postgresstore.NewInsideWaiting(pool, cfg, lockTimeout)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	queued := make(chan struct{}, 100)
	s.OnQueue(func() { queued <- struct{}{} })
	return s, queued
}

// holdWrites makes the store's only statement of one kind wait: it
// commits the session "busy", holds its row lock in a transaction of the
// test's, and starts write (a Commit or Delete of "busy"), which takes the
// statement and waits for the lock; holdWrites returns once the server
// shows it waiting. release ends the transaction and returns write's error.
func holdWrites(t *testing.T, s *sessionsql.Store, pool *pgxpool.Pool, write func(ctx context.Context) error) (release func() error) {
	t.Helper()
	ctx := context.Background()
	if err := s.CommitCtx(ctx, "busy", []byte("v0"), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	tx, unlock := lockRowTx(t, pool, "busy")
	blocked := async(func() error { return write(ctx) })
	waitForLockWaits(t, tx, 1)
	return func() error {
		unlock()
		return <-blocked
	}
}

// waitForLockWaits returns once n statements of the test server wait for
// a lock, asking db (a pool, or a transaction when the pool has no
// connection to spare; pg_locks, unlike pg_stat_activity, is read afresh
// within a transaction). The tests of this package that run at the same
// time never wait on locks.
func waitForLockWaits(t *testing.T, db interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}, n int) {
	t.Helper()
	// Polling the server: it sends no signal when a statement starts waiting.
	waitFor(t, func() bool { return lockWaits(t, db) >= n })
}

// lockWaits is how many lock requests the server has not granted yet.
func lockWaits(t *testing.T, db interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}) int {
	t.Helper()
	var waiting int
	if err := db.QueryRow(context.Background(), `SELECT count(*) FROM pg_locks WHERE NOT granted`).Scan(&waiting); err != nil {
		t.Fatal(err)
	}
	return waiting
}

// lockRow holds token's row lock in a transaction of the test's until the
// returned func (or the end of the test) rolls it back.
func lockRow(t *testing.T, pool *pgxpool.Pool, token string) (unlock func()) {
	t.Helper()
	_, unlock = lockRowTx(t, pool, token)
	return unlock
}

// lockRowTx is lockRow that also returns the transaction.
func lockRowTx(t *testing.T, pool *pgxpool.Pool, token string) (pgx.Tx, func()) {
	t.Helper()
	ctx := context.Background()
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `SELECT 1 FROM sessions WHERE token = $1 FOR UPDATE`, token); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	unlock := func() { once.Do(func() { _ = tx.Rollback(ctx) }) }
	t.Cleanup(unlock)
	return tx, unlock
}

// runGrouped starts ops one after the other, each once the one before has
// queued behind the held statement, then releases it, and fails t unless
// the held write and every op succeed and all of ops shared statements.
func runGrouped(t *testing.T, s *sessionsql.Store, queued <-chan struct{}, release func() error, ops ...func() error) {
	t.Helper()
	before := s.Stats().Grouped
	results := make([]<-chan error, len(ops))
	for i, op := range ops {
		results[i] = async(op)
		<-queued
	}
	if err := release(); err != nil {
		t.Fatalf("the held write: %v", err)
	}
	for i, r := range results {
		if err := <-r; err != nil {
			t.Fatalf("grouped operation %d: %v", i, err)
		}
	}
	if g := s.Stats().Grouped - before; g != int64(len(ops)) {
		t.Fatalf("Stats().Grouped went up by %d, want the %d queued operations", g, len(ops))
	}
}

// statements returns a channel that receives a value whenever a
// statement of s starts.
func statements(s postgresstore.Inside) chan struct{} {
	ch := make(chan struct{}, 100)
	s.OnRun(func(int) { ch <- struct{}{} })
	return ch
}

// drain empties ch.
func drain(ch chan struct{}) {
	for len(ch) > 0 {
		<-ch
	}
}

// async runs f on a goroutine and returns a channel with its error.
func async(f func() error) <-chan error {
	ch := make(chan error, 1)
	go func() { ch <- f() }()
	return ch
}

// TestGroupedCommits: Commits that queue behind a busy statement are
// written together in one, each as asked; of two Commits of one token the
// later is what remains, and both succeed; in every exec mode.
func TestGroupedCommits(t *testing.T) { eachExecMode(t, testGroupedCommits) }

func testGroupedCommits(t *testing.T, mode func(*pgxpool.Config)) {
	_, schema := migratedPool(t)
	pool := poolOn(t, schema, mode)
	s, queued := groupedStore(t, pool, postgresstore.Config{})
	ctx := context.Background()
	exp := time.Now().Add(time.Hour).Truncate(time.Microsecond)
	release := holdWrites(t, s.Store, pool, func(ctx context.Context) error { return s.CommitCtx(ctx, "busy", []byte("v1"), exp) })

	var ops []func() error
	want := map[string]string{}
	for i := range 6 {
		tok, data := fmt.Sprintf("t%d", i), fmt.Sprintf("data %d", i)
		want[tok] = data
		ops = append(ops, func() error { return s.CommitCtx(ctx, tok, []byte(data), exp.Add(time.Duration(i)*time.Second)) })
	}
	for _, data := range []string{"first", "second"} { // one token twice, in this order
		ops = append(ops, func() error { return s.CommitCtx(ctx, "twice", []byte(data), exp) })
	}
	want["twice"] = "second"
	runGrouped(t, s.Store, queued, release, ops...)
	for tok, data := range want {
		got, found, err := s.FindCtx(ctx, tok)
		if err != nil || !found || string(got) != data {
			t.Errorf("Find(%s) = (%q, %v, %v), want %q", tok, got, found, err, data)
		}
	}
	var expiry time.Time
	if err := pool.QueryRow(ctx, `SELECT expiry FROM sessions WHERE token = 't5'`).Scan(&expiry); err != nil || !expiry.Equal(exp.Add(5*time.Second)) {
		t.Fatalf("t5's stored expiry = %v (%v), want its own %v", expiry, err, exp.Add(5*time.Second))
	}
}

// TestGroupedCommitsWithOwner: grouped Commits of the owner index record
// each session's owner and device.
func TestGroupedCommitsWithOwner(t *testing.T) {
	pool, _ := migratedPool(t)
	s, queued := groupedStore(t, pool, postgresstore.Config{Config: sessionsql.Config{Owner: func(token string, data []byte) (sessionsql.Owner, error) {
		if len(data) == 0 {
			return sessionsql.Owner{}, nil
		}
		return sessionsql.Owner{ID: string(data), Device: "device of " + token}, nil
	}}})
	ctx := context.Background()
	exp := time.Now().Add(time.Hour)
	release := holdWrites(t, s.Store, pool, func(ctx context.Context) error { return s.CommitCtx(ctx, "busy", []byte("u0"), exp) })
	var ops []func() error
	for i, owner := range []string{"u1", "u1", "u2", ""} {
		tok := fmt.Sprintf("s%d", i)
		ops = append(ops, func() error { return s.CommitCtx(ctx, tok, []byte(owner), exp) })
	}
	runGrouped(t, s.Store, queued, release, ops...)
	for owner, want := range map[string]int{"u1": 2, "u2": 1} {
		infos, err := s.OwnerSessions(ctx, owner)
		if err != nil || len(infos) != want {
			t.Fatalf("OwnerSessions(%s) = %d sessions (%v), want %d", owner, len(infos), err, want)
		}
		for _, in := range infos {
			if in.Created.IsZero() || in.LastSeen.IsZero() || in.Device == "" {
				t.Fatalf("OwnerSessions(%s) = %+v, want created, last seen and device recorded", owner, in)
			}
		}
	}
	var anonymous *string
	if err := pool.QueryRow(ctx, `SELECT owner FROM sessions WHERE token = 's3'`).Scan(&anonymous); err != nil || anonymous != nil {
		t.Fatalf("the anonymous session's owner = %v (%v), want NULL", anonymous, err)
	}
}

// TestGroupedCommitFailureIsItsOwn: a Commit the server refuses, grouped
// with others, fails alone; the others are written.
func TestGroupedCommitFailureIsItsOwn(t *testing.T) {
	pool, _ := migratedPool(t)
	s, queued := groupedStore(t, pool, postgresstore.Config{})
	ctx := context.Background()
	exp := time.Now().Add(time.Hour)
	release := holdWrites(t, s.Store, pool, func(ctx context.Context) error { return s.CommitCtx(ctx, "busy", []byte("v1"), exp) })
	good1 := async(func() error { return s.CommitCtx(ctx, "good-1", []byte("a"), exp) })
	<-queued
	// Beyond PostgreSQL's timestamptz range (year 294276): the server
	// rejects this one value.
	bad := async(func() error {
		return s.CommitCtx(ctx, "bad", []byte("b"), time.Date(300000, 1, 1, 0, 0, 0, 0, time.UTC))
	})
	<-queued
	good2 := async(func() error { return s.CommitCtx(ctx, "good-2", []byte("c"), exp) })
	<-queued
	if err := release(); err != nil {
		t.Fatal(err)
	}
	if err := <-bad; err == nil {
		t.Fatal("a Commit with an expiry PostgreSQL cannot store succeeded")
	}
	for _, r := range []<-chan error{good1, good2} {
		if err := <-r; err != nil {
			t.Fatalf("a good Commit grouped with a bad one failed: %v", err)
		}
	}
	for tok, want := range map[string]bool{"good-1": true, "good-2": true, "bad": false} {
		if _, found, err := s.FindCtx(ctx, tok); err != nil || found != want {
			t.Fatalf("Find(%s) = (%v, %v), want found %v", tok, found, err, want)
		}
	}
}

// TestGroupedCommitGivesUpInQueue: a Commit whose context ends while it
// waits in the queue returns the context's error and is never written.
func TestGroupedCommitGivesUpInQueue(t *testing.T) {
	pool, _ := migratedPool(t)
	s, queued := groupedStore(t, pool, postgresstore.Config{})
	ctx := context.Background()
	exp := time.Now().Add(time.Hour)
	release := holdWrites(t, s.Store, pool, func(ctx context.Context) error { return s.CommitCtx(ctx, "busy", []byte("v1"), exp) })
	wait, cancel := context.WithCancel(ctx)
	gaveUp := async(func() error { return s.CommitCtx(wait, "never", []byte("x"), exp) })
	<-queued
	cancel()
	if err := <-gaveUp; !errors.Is(err, context.Canceled) {
		t.Fatalf("Commit cancelled in the queue = %v, want context.Canceled", err)
	}
	if err := release(); err != nil {
		t.Fatal(err)
	}
	if _, found, err := s.FindCtx(ctx, "never"); err != nil || found {
		t.Fatalf("Find of the Commit that gave up = (%v, %v), want not found", found, err)
	}
}

// TestGroupedFinds: Finds that queue behind a busy statement are answered
// together, each on its own: hits, misses, one token asked twice (each
// caller gets a slice of its own) and a session that expired between two
// Finds of it, by the store's clock; in every exec mode.
func TestGroupedFinds(t *testing.T) { eachExecMode(t, testGroupedFinds) }

func testGroupedFinds(t *testing.T, mode func(*pgxpool.Config)) {
	_, schema := migratedPool(t)
	pool := poolOn(t, schema, func(cfg *pgxpool.Config) {
		mode(cfg)
		cfg.MaxConns = 1 // the test takes the one connection to hold the Finds up
	})
	clock := storetest.NewClock(time.Now())
	s, queued := groupedStore(t, pool, postgresstore.Config{Config: sessionsql.Config{Now: clock.Now}})
	started := statements(s)
	ctx := context.Background()
	for tok, ttl := range map[string]time.Duration{"a": time.Hour, "b": time.Hour, "brief": 10 * time.Second} {
		if err := s.CommitCtx(ctx, tok, []byte("data of "+tok), clock.Now().Add(ttl)); err != nil {
			t.Fatal(err)
		}
	}

	conn, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	type found struct {
		data  []byte
		found bool
		err   error
	}
	find := func(tok string) <-chan found {
		ch := make(chan found, 1)
		go func() {
			d, ok, err := s.FindCtx(ctx, tok)
			ch <- found{d, ok, err}
		}()
		return ch
	}
	drain(started)
	first := find("a") // takes the slot, waits for the connection
	<-started
	var asked []string
	var answers []<-chan found
	for _, tok := range []string{"b", "missing", "a", "a", "brief"} {
		asked = append(asked, tok)
		answers = append(answers, find(tok))
		<-queued
	}
	clock.Advance(20 * time.Second) // "brief" has expired for the next Find
	asked = append(asked, "brief")
	answers = append(answers, find("brief"))
	<-queued
	conn.Release()

	if r := <-first; r.err != nil || !r.found {
		t.Fatalf("first Find = %+v", r)
	}
	want := []bool{true, false, true, true, true, false}
	var slices [][]byte
	for i, ch := range answers {
		r := <-ch
		if r.err != nil || r.found != want[i] {
			t.Fatalf("grouped Find %d (%s) = (%v, %v), want found %v", i, asked[i], r.found, r.err, want[i])
		}
		if r.found && string(r.data) != "data of "+asked[i] {
			t.Fatalf("grouped Find %d (%s) = %q", i, asked[i], r.data)
		}
		if asked[i] == "a" {
			slices = append(slices, r.data)
		}
	}
	if g := s.Stats().Grouped; g != int64(len(answers)) {
		t.Fatalf("Stats().Grouped = %d, want the %d queued Finds", g, len(answers))
	}
	slices[0][0] = 'X'
	if bytes.Equal(slices[0], slices[1]) {
		t.Fatal("two grouped Finds of one token share their data slice")
	}
}

// TestGroupedDeletes: Deletes queued behind a busy statement are run
// together; a missing token among them is fine; in every exec mode.
func TestGroupedDeletes(t *testing.T) { eachExecMode(t, testGroupedDeletes) }

func testGroupedDeletes(t *testing.T, mode func(*pgxpool.Config)) {
	_, schema := migratedPool(t)
	pool := poolOn(t, schema, mode)
	s, queued := groupedStore(t, pool, postgresstore.Config{})
	ctx := context.Background()
	exp := time.Now().Add(time.Hour)
	for _, tok := range []string{"d1", "d2", "keep"} {
		if err := s.CommitCtx(ctx, tok, []byte("x"), exp); err != nil {
			t.Fatal(err)
		}
	}
	release := holdWrites(t, s.Store, pool, func(ctx context.Context) error { return s.DeleteCtx(ctx, "busy") })
	var ops []func() error
	for _, tok := range []string{"d1", "d2", "nothing", "d1"} {
		ops = append(ops, func() error { return s.DeleteCtx(ctx, tok) })
	}
	runGrouped(t, s.Store, queued, release, ops...)
	all, err := s.AllCtx(ctx)
	if err != nil || len(all) != 1 || all["keep"] == nil {
		t.Fatalf("All after the Deletes = %v (%v), want only keep", all, err)
	}
	for _, tok := range []string{"d1", "nothing"} { // each deleted for good
		if err := s.CommitCtx(ctx, tok, []byte("late"), exp); err != nil {
			t.Fatal(err)
		}
		if _, found, err := s.FindCtx(ctx, tok); err != nil || found {
			t.Fatalf("Find(%s) after a grouped Delete and a late Commit = (%v, %v), want not found", tok, found, err)
		}
	}
}

// TestGroupedCommitsOfDeletedSessions: of Commits written together in one
// statement, those of deleted sessions are refused, each counted as such,
// and the others written; in every exec mode.
func TestGroupedCommitsOfDeletedSessions(t *testing.T) { eachExecMode(t, testGroupedCommitsOfDeleted) }

func testGroupedCommitsOfDeleted(t *testing.T, mode func(*pgxpool.Config)) {
	_, schema := migratedPool(t)
	pool := poolOn(t, schema, mode)
	s, queued := groupedStore(t, pool, postgresstore.Config{})
	ctx := context.Background()
	exp := time.Now().Add(time.Hour)
	for _, tok := range []string{"gone1", "gone2", "kept"} {
		if err := s.CommitCtx(ctx, tok, []byte("v1"), exp); err != nil {
			t.Fatal(err)
		}
	}
	for _, tok := range []string{"gone1", "gone2", "never"} {
		if err := s.DeleteCtx(ctx, tok); err != nil {
			t.Fatal(err)
		}
	}
	release := holdWrites(t, s.Store, pool, func(ctx context.Context) error { return s.CommitCtx(ctx, "busy", []byte("v1"), exp) })
	before := s.Stats()
	var ops []func() error
	for _, tok := range []string{"gone1", "kept", "gone2", "never", "new", "gone1"} {
		ops = append(ops, func() error { return s.CommitCtx(ctx, tok, []byte("v2"), exp) })
	}
	runGrouped(t, s.Store, queued, release, ops...)
	after := s.Stats()
	if w, r := after.Writes-before.Writes, after.Refused-before.Refused; w != 3 || r != 4 {
		t.Fatalf("grouped Commits: %d written, %d refused; want 3 (busy, kept, new) and 4", w, r)
	}
	for tok, want := range map[string]bool{"gone1": false, "gone2": false, "never": false, "kept": true, "new": true} {
		if _, found, err := s.FindCtx(ctx, tok); err != nil || found != want {
			t.Errorf("Find(%s) = (%v, %v), want %v", tok, found, err, want)
		}
	}
}

// TestGroupedAsyncCommit: grouped asynchronous Commits leave the shared
// connection's synchronous_commit alone too.
func TestGroupedAsyncCommit(t *testing.T) {
	_, schema := migratedPool(t)
	pool := poolOn(t, schema, func(cfg *pgxpool.Config) {
		cfg.MaxConns = 2
		cfg.AfterConnect = func(ctx context.Context, c *pgx.Conn) error {
			_, err := c.Exec(ctx, `SET synchronous_commit = on`) // the test server runs without it
			return err
		}
	})
	s, queued := groupedStore(t, pool, postgresstore.Config{AsyncCommit: true})
	ctx := context.Background()
	exp := time.Now().Add(time.Hour)
	release := holdWrites(t, s.Store, pool, func(ctx context.Context) error { return s.CommitCtx(ctx, "busy", []byte("v1"), exp) })
	var ops []func() error
	for i := range 3 {
		ops = append(ops, func() error { return s.CommitCtx(ctx, fmt.Sprint("a", i), []byte("x"), exp) })
	}
	runGrouped(t, s.Store, queued, release, ops...)
	for range 2 { // both connections
		conn, err := pool.Acquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Release()
		var setting string
		if err := conn.QueryRow(ctx, `SHOW synchronous_commit`).Scan(&setting); err != nil || setting != "on" {
			t.Fatalf("synchronous_commit on a shared connection = %q (%v) after grouped async Commits, want on", setting, err)
		}
	}
}

// TestGroupedFindsByOwnClock: of two grouped Finds of one token, the one
// whose clock read earlier finds the session that is live at its reading,
// even if it queued second.
func TestGroupedFindsByOwnClock(t *testing.T) {
	_, schema := migratedPool(t)
	pool := onePool(t, schema)
	clock := storetest.NewClock(time.Now())
	s, queued := groupedStore(t, pool, postgresstore.Config{Config: sessionsql.Config{Now: clock.Now}})
	started := statements(s)
	ctx := context.Background()
	if err := s.CommitCtx(ctx, "q", []byte("data"), clock.Now().Add(80*time.Second)); err != nil {
		t.Fatal(err)
	}
	drain(started)
	conn, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	find := func(tok string) <-chan bool {
		ch := make(chan bool, 1)
		go func() {
			_, found, err := s.FindCtx(ctx, tok)
			if err != nil {
				t.Error(err)
			}
			ch <- found
		}()
		return ch
	}
	first := find("other") // takes the slot, waits for the connection
	<-started
	clock.Advance(100 * time.Second)
	late := find("q") // q has expired at its reading
	<-queued
	clock.Advance(-50 * time.Second)
	early := find("q") // q is live at its reading
	<-queued
	conn.Release()
	<-first
	if <-late {
		t.Fatal("the Find whose clock read 100 s found a session that expired at 80 s")
	}
	if !<-early {
		t.Fatal("the Find whose clock read 50 s missed a session that expires at 80 s")
	}
}

// onePool returns a pool of one connection on schema, closed when t ends.
func onePool(t *testing.T, schema string) *pgxpool.Pool {
	return poolOn(t, schema, func(cfg *pgxpool.Config) { cfg.MaxConns = 1 })
}

// ownerFromData is an OwnerFunc for tests: the session's data is its
// owner.
func ownerFromData(_ string, data []byte) (sessionsql.Owner, error) {
	return sessionsql.Owner{ID: string(data)}, nil
}

// TestGroupedCommitAndRevokeOwnerNoDeadlock: a grouped Commit holding one
// of an owner's rows while it waits for another row, and a RevokeOwner of
// that owner, lock rows in one order, so neither fails with a deadlock.
func TestGroupedCommitAndRevokeOwnerNoDeadlock(t *testing.T) {
	pool, _ := migratedPool(t)
	// The grouped Commit must still be waiting for a5 when the revocation
	// starts to wait: on a loaded machine 100 ms can pass in between.
	s, queued := groupedStoreWaiting(t, pool, postgresstore.Config{Config: sessionsql.Config{Owner: ownerFromData}}, time.Minute)
	ctx := context.Background()
	exp := time.Now().Add(time.Hour)
	// b before a in the heap: a DELETE of U's rows in heap order would
	// lock b first.
	for _, c := range [][2]string{{"b", "U"}, {"a", "U"}, {"a5", ""}} {
		if err := s.CommitCtx(ctx, c[0], []byte(c[1]), exp); err != nil {
			t.Fatal(err)
		}
	}
	release := holdWrites(t, s.Store, pool, func(ctx context.Context) error { return s.CommitCtx(ctx, "busy", nil, exp) })
	grouped := s.Stats().Grouped
	unlockA5 := lockRow(t, pool, "a5")
	var commits []<-chan error
	for _, c := range [][2]string{{"a", "U"}, {"a5", ""}, {"b", "U"}} {
		commits = append(commits, async(func() error { return s.CommitCtx(ctx, c[0], []byte(c[1]), exp) }))
		<-queued
	}
	if err := release(); err != nil {
		t.Fatal(err)
	}
	waitForLockWaits(t, pool, 1) // the grouped Commit holds a and waits for a5
	revoke := async(func() error { _, err := s.RevokeOwner(ctx, "U", ""); return err })
	waitForLockWaits(t, pool, 2) // the revocation waits for a, holding nothing
	unlockA5()
	if err := <-revoke; err != nil {
		t.Fatalf("RevokeOwner beside a grouped Commit: %v", err)
	}
	for _, c := range commits {
		if err := <-c; err != nil {
			t.Fatalf("grouped Commit beside RevokeOwner: %v", err)
		}
	}
	if g := s.Stats().Grouped - grouped; g != 3 {
		// A deadlock the server broke by failing the grouped Commit, whose
		// Commits then ran again one by one.
		t.Fatalf("the grouped Commit wrote %d sessions in its statement, want all 3", g)
	}
	if infos, err := s.OwnerSessions(ctx, "U"); err != nil || len(infos) != 0 {
		t.Fatalf("U's sessions after RevokeOwner = %d (%v), want none", len(infos), err)
	}
}

// TestGroupedCommitNotHeldUpByALockedRow: a Commit whose row another
// transaction holds does not hold up the Commits it was grouped with,
// whether or not it has a deadline: they are written while it still waits.
func TestGroupedCommitNotHeldUpByALockedRow(t *testing.T) {
	pool, _ := migratedPool(t)
	s, queued := groupedStore(t, pool, postgresstore.Config{})
	ctx := context.Background()
	exp := time.Now().Add(time.Hour)
	if err := s.CommitCtx(ctx, "x", []byte("x0"), exp); err != nil {
		t.Fatal(err)
	}
	release := holdWrites(t, s.Store, pool, func(ctx context.Context) error { return s.CommitCtx(ctx, "busy", nil, exp) })
	unlockX := lockRow(t, pool, "x")
	x := async(func() error { return s.Commit("x", []byte("x1"), exp) }) // no deadline at all
	<-queued
	deadline, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	y := async(func() error { return s.CommitCtx(deadline, "y", []byte("y1"), exp) })
	<-queued
	if err := release(); err != nil {
		t.Fatal(err)
	}
	select { // x is still locked
	case err := <-y:
		if err != nil {
			t.Fatalf("Commit of y, grouped with a Commit of a locked row: %v", err)
		}
	case <-time.After(30 * time.Second): // a hang guard, not a timing goal
		t.Fatal("the Commit of y waits for the lock on x's row")
	}
	if got, found, err := s.FindCtx(ctx, "y"); err != nil || !found || string(got) != "y1" {
		t.Fatalf("Find(y) = (%q, %v, %v) while x is still locked, want y1", got, found, err)
	}
	unlockX()
	if err := <-x; err != nil {
		t.Fatalf("Commit of x once its row was free: %v", err)
	}
	if got, _, err := s.FindCtx(ctx, "x"); err != nil || string(got) != "x1" {
		t.Fatalf("Find(x) = (%q, %v), want x1", got, err)
	}
}

// TestQueuedCommitOfARevokedSession: a Commit that queued before
// RevokeOwner revoked its session, and is written after, does not bring
// the session back.
func TestQueuedCommitOfARevokedSession(t *testing.T) {
	pool, _ := migratedPool(t)
	s, queued := groupedStore(t, pool, postgresstore.Config{Config: sessionsql.Config{Owner: ownerFromData}})
	ctx := context.Background()
	exp := time.Now().Add(time.Hour)
	if err := s.CommitCtx(ctx, "a", []byte("U"), exp); err != nil {
		t.Fatal(err)
	}
	release := holdWrites(t, s.Store, pool, func(ctx context.Context) error { return s.CommitCtx(ctx, "busy", nil, exp) })
	late := async(func() error { return s.CommitCtx(ctx, "a", []byte("U"), exp) })
	<-queued
	if n, err := s.RevokeOwner(ctx, "U", ""); err != nil || n != 1 {
		t.Fatalf("RevokeOwner = (%d, %v), want 1 session", n, err)
	}
	if err := release(); err != nil {
		t.Fatal(err)
	}
	if err := <-late; err != nil {
		t.Fatalf("the late Commit: %v", err)
	}
	if _, found, err := s.FindCtx(ctx, "a"); err != nil || found {
		t.Fatalf("Find of the revoked session after the late Commit = (%v, %v), want not found", found, err)
	}
}
