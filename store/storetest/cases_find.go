package storetest

import (
	"bytes"
	"time"
)

func testUsesConfigClock(e *env) {
	tok := token()
	e.commit(tok, []byte("x"), e.in(time.Hour))
	e.clock.Advance(2 * time.Hour)
	if _, found, err := e.s.FindCtx(e.ctx(), tok); err != nil || found {
		e.t.Fatalf("a session one hour past its expiry on the injected clock was found (err %v): "+
			"the store must read the clock of the Config newStore is given", err)
	}
}

func testFindMissing(e *env) {
	e.wantMissing(token())
}

func testFindHit(e *env) {
	tok, data := token(), []byte("hello session")
	e.commit(tok, data, e.in(time.Hour))
	e.wantFound(tok, data)

	// The caller owns what Find returns and what it passed to Commit.
	got, found, err := e.s.FindCtx(e.ctx(), tok)
	if err != nil || !found || len(got) == 0 {
		e.t.Fatalf("FindCtx(%.20q) = (%q, %v, %v), want its data", tok, got, found, err)
	}
	got[0] = 'J'
	data[0] = 'Y'
	e.wantFound(tok, []byte("hello session"))
}

func testFindExpired(e *env) {
	tok, data := token(), []byte("short-lived")
	e.commit(tok, data, e.in(1500*time.Millisecond))
	e.clock.Advance(1499 * time.Millisecond)
	e.wantFound(tok, data)
	e.clock.Advance(time.Millisecond) // now == expiry: expired
	e.wantMissing(tok)
	e.clock.Advance(time.Hour)
	e.wantMissing(tok)

	past := token()
	e.commit(past, data, e.in(-time.Minute))
	e.wantMissing(past)
}

func testExpiryTimeZones(e *env) {
	tok, data := token(), []byte("zoned")
	zone := time.FixedZone("UTC+9", 9*60*60)
	e.commit(tok, data, e.in(time.Minute).In(zone))
	e.clock.Advance(59 * time.Second)
	e.wantFound(tok, data)
	e.clock.Advance(time.Second)
	e.wantMissing(tok)
}

func testBinaryData(e *env) {
	data := make([]byte, 0, 512)
	for i := range 512 {
		data = append(data, byte(i))
	}
	tok := token()
	e.commit(tok, data, e.in(time.Hour))
	e.wantFound(tok, data)
	if m := e.all(); !bytes.Equal(m[tok], data) {
		e.t.Fatalf("AllCtx()[tok] differs from the committed binary data")
	}
}
