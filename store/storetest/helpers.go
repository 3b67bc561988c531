package storetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"time"
)

// token returns a fresh random token shaped like the ones scs makes.
func token() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (e *env) ctx() context.Context { return e.t.Context() }

// in returns the suite clock's reading plus d.
func (e *env) in(d time.Duration) time.Time { return e.clock.Now().Add(d) }

func (e *env) commit(tok string, data []byte, expiry time.Time) {
	e.t.Helper()
	if err := e.s.CommitCtx(e.ctx(), tok, data, expiry); err != nil {
		e.t.Fatalf("CommitCtx(%.20q): %v", tok, err)
	}
}

// wantFound fails unless tok is live with exactly want as its data.
func (e *env) wantFound(tok string, want []byte) {
	e.t.Helper()
	got, found, err := e.s.FindCtx(e.ctx(), tok)
	if err != nil {
		e.t.Fatalf("FindCtx(%.20q): %v", tok, err)
	}
	if !found {
		e.t.Fatalf("FindCtx(%.20q): not found, want %d bytes", tok, len(want))
	}
	if !bytes.Equal(got, want) {
		e.t.Fatalf("FindCtx(%.20q) = %.40q, want %.40q", tok, got, want)
	}
}

// wantMissing fails unless Find reports tok as not found, without error.
func (e *env) wantMissing(tok string) {
	e.t.Helper()
	got, found, err := e.s.FindCtx(e.ctx(), tok)
	if err != nil {
		e.t.Fatalf("FindCtx(%.20q): %v", tok, err)
	}
	if found || got != nil {
		e.t.Fatalf("FindCtx(%.20q) = (%.40q, %v), want (nil, false)", tok, got, found)
	}
}

func (e *env) all() map[string][]byte {
	e.t.Helper()
	m, err := e.s.AllCtx(e.ctx())
	if err != nil {
		e.t.Fatalf("AllCtx: %v", err)
	}
	if m == nil {
		e.t.Fatal("AllCtx returned a nil map, want non-nil")
	}
	return m
}

func (e *env) deleteExpired(limit int) int64 {
	e.t.Helper()
	n, err := e.s.DeleteExpired(e.ctx(), limit)
	if err != nil {
		e.t.Fatalf("DeleteExpired(%d): %v", limit, err)
	}
	return n
}
