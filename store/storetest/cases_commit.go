package storetest

import (
	"time"
)

func testCommitOverwrites(e *env) {
	tok := token()
	e.commit(tok, []byte("first"), e.in(time.Hour))
	e.commit(tok, []byte("second"), e.in(2*time.Hour))
	e.wantFound(tok, []byte("second"))

	// Expiry moved forward with the data.
	e.clock.Advance(90 * time.Minute)
	e.wantFound(tok, []byte("second"))

	// And it moves backward too: the last Commit wins.
	e.commit(tok, []byte("third"), e.in(time.Minute))
	e.clock.Advance(time.Minute)
	e.wantMissing(tok)

	// An expired row is revived by a Commit with a later expiry.
	e.commit(tok, []byte("fourth"), e.in(time.Hour))
	e.wantFound(tok, []byte("fourth"))
	if n := len(e.all()); n != 1 {
		e.t.Fatalf("AllCtx has %d sessions after overwriting one token, want 1", n)
	}
}

func testCommitEmptyData(e *env) {
	empty, nilData := token(), token()
	e.commit(empty, []byte{}, e.in(time.Hour))
	e.commit(nilData, nil, e.in(time.Hour))
	for _, tok := range []string{empty, nilData} {
		got, found, err := e.s.FindCtx(e.ctx(), tok)
		if err != nil || !found || len(got) != 0 {
			e.t.Fatalf("FindCtx after committing empty data = (%q, %v, %v), want (empty, true, nil)", got, found, err)
		}
	}
}
