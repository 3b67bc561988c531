package storetest

import (
	"sync"
	"time"
)

// suiteGrace is the DeleteGrace of the suite's stores.
const suiteGrace = 5 * time.Minute

// testDeleteIsFinal: a Commit of a deleted token (a request that was
// running at logout, ending after it) writes nothing, returns nil and is
// counted as refused, until the session's expiry plus the grace has
// passed; then the reaper removes what remembered it.
func testDeleteIsFinal(e *env) {
	tok, other := token(), token()
	e.commit(tok, []byte("logged in"), e.in(time.Hour))
	e.commit(other, []byte("someone else"), e.in(time.Hour))
	if err := e.s.DeleteCtx(e.ctx(), tok); err != nil {
		e.t.Fatalf("DeleteCtx: %v", err)
	}
	e.commit(tok, []byte("logged in"), e.in(time.Hour)) // the late request
	e.wantMissing(tok)
	if st := e.s.Stats(); st.Commits != 3 || st.Writes != 2 || st.Refused != 1 {
		e.t.Fatalf("after a Commit of a deleted session Stats has %d commits, %d writes, %d refused; want 3, 2 and 1", st.Commits, st.Writes, st.Refused)
	}
	if all := e.all(); len(all) != 1 || all[other] == nil {
		e.t.Fatalf("AllCtx after a Delete has %d sessions, want only the other one", len(all))
	}

	// Until the stored expiry plus the grace, the tombstone holds and the
	// reaper leaves it (deleting the other session, expired by then).
	e.wantTombstoneFor(tok, time.Hour+suiteGrace, 1)
}

// wantTombstoneFor checks that the tombstone of tok holds until d from
// now and goes then: a second before, a Commit writes nothing and
// DeleteExpired deletes others other rows, not the tombstone; at d,
// DeleteExpired deletes it and a Commit of tok writes again.
func (e *env) wantTombstoneFor(tok string, d time.Duration, others int64) {
	e.t.Helper()
	e.clock.Advance(d - time.Second)
	e.commit(tok, []byte("replayed"), e.in(time.Hour))
	e.wantMissing(tok)
	if n := e.deleteExpired(0); n != others {
		e.t.Fatalf("DeleteExpired a second before the tombstone's time = %d, want %d", n, others)
	}
	e.commit(tok, []byte("replayed"), e.in(time.Hour))
	e.wantMissing(tok)
	e.clock.Advance(time.Second)
	if n := e.deleteExpired(0); n != 1 {
		e.t.Fatalf("DeleteExpired at the tombstone's time = %d, want 1", n)
	}
	e.commit(tok, []byte("new"), e.in(time.Hour))
	e.wantFound(tok, []byte("new"))
}

// testDeleteUnknownIsFinal: a Delete of a token never stored (a session
// whose first Commit is still on its way) is final too, for the grace.
func testDeleteUnknownIsFinal(e *env) {
	tok := token()
	if err := e.s.DeleteCtx(e.ctx(), tok); err != nil {
		e.t.Fatalf("DeleteCtx of a token never stored: %v", err)
	}
	e.commit(tok, []byte("first write, late"), e.in(time.Hour))
	e.wantMissing(tok)
	e.wantTombstoneFor(tok, suiteGrace, 0)
}

// testDeleteExpiredSessionIsFinal: a session deleted after its expiry is
// remembered from the delete on: a Commit with a later expiry does not
// revive it within the grace.
func testDeleteExpiredSessionIsFinal(e *env) {
	tok := token()
	e.commit(tok, []byte("v"), e.in(time.Minute))
	e.clock.Advance(2 * time.Minute)
	if err := e.s.DeleteCtx(e.ctx(), tok); err != nil {
		e.t.Fatal(err)
	}
	e.clock.Advance(suiteGrace - time.Second)
	e.commit(tok, []byte("revived"), e.in(time.Hour))
	e.wantMissing(tok)
	if n := e.deleteExpired(0); n != 0 {
		e.t.Fatalf("DeleteExpired within the grace of the delete = %d, want 0", n)
	}
}

// testDeleteAgainKeepsTheTombstone: deleting a deleted token again
// neither fails nor makes it last longer.
func testDeleteAgainKeepsTheTombstone(e *env) {
	tok := token()
	e.commit(tok, []byte("v"), e.in(time.Minute))
	if err := e.s.DeleteCtx(e.ctx(), tok); err != nil {
		e.t.Fatal(err)
	}
	e.clock.Advance(time.Minute + suiteGrace - time.Second)
	if err := e.s.DeleteCtx(e.ctx(), tok); err != nil {
		e.t.Fatalf("DeleteCtx of a deleted token: %v", err)
	}
	e.clock.Advance(time.Second)
	if n := e.deleteExpired(0); n != 1 {
		e.t.Fatalf("DeleteExpired at the first delete's time = %d, want 1", n)
	}
}

// testCommitRacingDelete: a Commit and a Delete of one session at the
// same moment, in either order, never leave it live.
func testCommitRacingDelete(e *env) {
	const sessions = 64
	tokens := make([]string, sessions)
	for i := range tokens {
		tokens[i] = token()
		e.commit(tokens[i], []byte("v1"), e.in(time.Hour))
	}
	start := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 2*sessions)
	for _, tok := range tokens {
		wg.Add(2)
		go func() {
			defer wg.Done()
			<-start
			errs <- e.s.CommitCtx(e.ctx(), tok, []byte("v2"), e.in(time.Hour))
		}()
		go func() {
			defer wg.Done()
			<-start
			errs <- e.s.DeleteCtx(e.ctx(), tok)
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			e.t.Fatalf("a racing Commit or Delete: %v", err)
		}
	}
	for _, tok := range tokens {
		e.wantMissing(tok)
	}
	if n := len(e.all()); n != 0 {
		e.t.Fatalf("AllCtx after every session was deleted has %d", n)
	}
	if st := e.s.Stats(); st.Writes+st.Refused != st.Commits {
		e.t.Fatalf("Stats: %d writes and %d refused of %d commits", st.Writes, st.Refused, st.Commits)
	}
}
