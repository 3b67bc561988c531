package storetest

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"time"

	"github.com/sessionsql/sessionsql"
)

func testPlainMethods(e *env) {
	tok := token()
	if err := e.s.Commit(tok, []byte("plain"), e.in(time.Hour)); err != nil {
		e.t.Fatalf("Commit: %v", err)
	}
	got, found, err := e.s.Find(tok)
	if err != nil || !found || string(got) != "plain" {
		e.t.Fatalf("Find = (%q, %v, %v), want (plain, true, nil)", got, found, err)
	}
	m, err := e.s.All()
	if err != nil || len(m) != 1 || string(m[tok]) != "plain" {
		e.t.Fatalf("All = (%v, %v), want the one session", m, err)
	}
	if err := e.s.Delete(tok); err != nil {
		e.t.Fatalf("Delete: %v", err)
	}
	if _, found, err := e.s.Find(tok); err != nil || found {
		e.t.Fatalf("Find after Delete = (found %v, %v), want (false, nil)", found, err)
	}
}

// testHashedTokens stores tokens the way scs does with HashTokenInStore:
// base64url(sha256(token)).
func testHashedTokens(e *env) {
	sum := sha256.Sum256([]byte(token()))
	tok := base64.RawURLEncoding.EncodeToString(sum[:])
	e.commit(tok, []byte("hashed"), e.in(time.Hour))
	e.wantFound(tok, []byte("hashed"))
	if err := e.s.DeleteCtx(e.ctx(), tok); err != nil {
		e.t.Fatalf("DeleteCtx: %v", err)
	}
	e.wantMissing(tok)
}

// testHostileTokens: valid but nasty tokens are plain data, never SQL.
func testHostileTokens(e *env) {
	hostile := []string{
		`'; DROP TABLE sessions; --`,
		`" OR 1=1 --`,
		`%_*\`,
		"ünïcødé-☃-𝄞",
		"line\nbreak\ttab",
		strings.Repeat("x", sessionsql.MaxTokenLength),
	}
	for _, tok := range hostile {
		e.commit(tok, []byte(tok), e.in(time.Hour))
	}
	for _, tok := range hostile {
		e.wantFound(tok, []byte(tok))
	}
	if n := len(e.all()); n != len(hostile) {
		e.t.Fatalf("AllCtx has %d sessions, want %d: a hostile token touched other rows", n, len(hostile))
	}
	e.wantMissing(`%`) // LIKE-style wildcards match nothing
	for _, tok := range hostile {
		if err := e.s.DeleteCtx(e.ctx(), tok); err != nil {
			e.t.Fatalf("DeleteCtx(%.20q): %v", tok, err)
		}
		e.wantMissing(tok)
	}
}

// invalidTokens can never name a session.
var invalidTokens = map[string]string{
	"empty":          "",
	"100 KB":         strings.Repeat("a", 100<<10),
	"one over limit": strings.Repeat("b", sessionsql.MaxTokenLength+1),
	"NUL byte":       "abc\x00def",
	"invalid UTF-8":  "abc\xff\xfe",
}

func testInvalidTokens(e *env) {
	for name, tok := range invalidTokens {
		e.wantMissing(tok)
		if err := e.s.CommitCtx(e.ctx(), tok, []byte("x"), e.in(time.Hour)); !errors.Is(err, sessionsql.ErrInvalidToken) {
			e.t.Fatalf("CommitCtx with a %s token: %v, want sessionsql.ErrInvalidToken", name, err)
		}
		if err := e.s.DeleteCtx(e.ctx(), tok); err != nil {
			e.t.Fatalf("DeleteCtx with a %s token: %v, want nil", name, err)
		}
	}
	if n := len(e.all()); n != 0 {
		e.t.Fatalf("invalid tokens left %d sessions behind", n)
	}
}

func testOversizedData(e *env) {
	tok := token()
	err := e.s.CommitCtx(e.ctx(), tok, make([]byte, sessionsql.DefaultMaxDataSize+1), e.in(time.Hour))
	if !errors.Is(err, sessionsql.ErrTooLarge) {
		e.t.Fatalf("CommitCtx with %d bytes: %v, want sessionsql.ErrTooLarge", sessionsql.DefaultMaxDataSize+1, err)
	}
	e.wantMissing(tok)

	// An oversized update leaves the stored session as it was.
	e.commit(tok, []byte("small"), e.in(time.Hour))
	err = e.s.CommitCtx(e.ctx(), tok, make([]byte, sessionsql.DefaultMaxDataSize+1), e.in(time.Hour))
	if !errors.Is(err, sessionsql.ErrTooLarge) {
		e.t.Fatalf("oversized update: %v, want sessionsql.ErrTooLarge", err)
	}
	e.wantFound(tok, []byte("small"))
}

func testDataAtLimit(e *env) {
	tok := token()
	data := make([]byte, sessionsql.DefaultMaxDataSize)
	for i := range data {
		data[i] = byte(i * 7)
	}
	e.commit(tok, data, e.in(time.Hour))
	e.wantFound(tok, data)
}
