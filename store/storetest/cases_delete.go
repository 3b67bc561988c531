package storetest

import (
	"fmt"
	"time"
)

func testDelete(e *env) {
	keep, drop := token(), token()
	e.commit(keep, []byte("keep"), e.in(time.Hour))
	e.commit(drop, []byte("drop"), e.in(time.Hour))
	if err := e.s.DeleteCtx(e.ctx(), drop); err != nil {
		e.t.Fatalf("DeleteCtx: %v", err)
	}
	e.wantMissing(drop)
	e.wantFound(keep, []byte("keep"))
	if err := e.s.DeleteCtx(e.ctx(), drop); err != nil {
		e.t.Fatalf("second DeleteCtx of the same token: %v, want nil", err)
	}
}

func testDeleteMissing(e *env) {
	if err := e.s.DeleteCtx(e.ctx(), token()); err != nil {
		e.t.Fatalf("DeleteCtx of a token never stored: %v, want nil", err)
	}
}

func testAllEmpty(e *env) {
	if m := e.all(); len(m) != 0 {
		e.t.Fatalf("AllCtx on an empty store has %d sessions", len(m))
	}
	m, err := e.s.All()
	if err != nil || m == nil || len(m) != 0 {
		e.t.Fatalf("All on an empty store = (%v, %v), want empty non-nil map", m, err)
	}
}

func testAllSkipsExpired(e *env) {
	live := map[string][]byte{}
	for i := range 3 {
		tok := token()
		live[tok] = fmt.Appendf(nil, "live %d", i)
		e.commit(tok, live[tok], e.in(time.Hour))
	}
	for range 2 {
		e.commit(token(), []byte("expired"), e.in(time.Minute))
	}
	e.clock.Advance(time.Minute)
	got := e.all()
	if len(got) != len(live) {
		e.t.Fatalf("AllCtx has %d sessions, want the %d live ones", len(got), len(live))
	}
	for tok, data := range live {
		if string(got[tok]) != string(data) {
			e.t.Fatalf("AllCtx()[%.10q] = %q, want %q", tok, got[tok], data)
		}
	}
}

func testDeleteExpiredBatches(e *env) {
	live := make([]string, 5)
	for i := range live {
		live[i] = token()
		e.commit(live[i], []byte("live"), e.in(time.Hour))
	}
	for range 25 {
		e.commit(token(), []byte("expired"), e.in(time.Minute))
	}
	e.clock.Advance(time.Minute)

	var got []int64
	for {
		n := e.deleteExpired(10)
		got = append(got, n)
		if n < 10 {
			break
		}
		if len(got) > 10 {
			e.t.Fatalf("DeleteExpired(10) keeps returning full batches: %v", got)
		}
	}
	if fmt.Sprint(got) != "[10 10 5]" {
		e.t.Fatalf("DeleteExpired(10) batches = %v, want [10 10 5]", got)
	}
	if n := e.deleteExpired(10); n != 0 {
		e.t.Fatalf("DeleteExpired after everything expired was deleted = %d, want 0", n)
	}
	for _, tok := range live {
		e.wantFound(tok, []byte("live"))
	}
	// The expired rows are gone, not just hidden: moving the clock back
	// must not bring them back.
	e.clock.Advance(-time.Hour)
	if n := len(e.all()); n != len(live) {
		e.t.Fatalf("after DeleteExpired and moving the clock back, AllCtx has %d sessions, want %d", n, len(live))
	}
}

func testDeleteExpiredUnlimited(e *env) {
	for range 7 {
		e.commit(token(), []byte("expired"), e.in(time.Second))
	}
	keep := token()
	e.commit(keep, []byte("live"), e.in(time.Hour))
	e.clock.Advance(time.Second)
	if n := e.deleteExpired(0); n != 7 {
		e.t.Fatalf("DeleteExpired(0) = %d, want all 7 expired", n)
	}
	e.wantFound(keep, []byte("live"))
}

func testDeleteExpiredKeepsExtended(e *env) {
	tok := token()
	e.commit(tok, []byte("v1"), e.in(time.Minute))
	e.clock.Advance(59 * time.Second)
	// The session is used just before it expires and scs pushes its expiry.
	e.commit(tok, []byte("v2"), e.in(time.Hour))
	e.clock.Advance(time.Minute)
	if n := e.deleteExpired(100); n != 0 {
		e.t.Fatalf("DeleteExpired deleted %d rows; the only session was extended", n)
	}
	e.wantFound(tok, []byte("v2"))
}
