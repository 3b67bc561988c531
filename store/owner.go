package store

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"time"
)

// Owner is what a store records of whose a session is. The zero Owner is
// an anonymous session: nothing is indexed for it.
type Owner struct {
	// ID is the account the session belongs to, as the app names it (a user
	// id, an email). Empty for an anonymous session.
	ID string
	// Device is an optional description the app chose to keep in the
	// session (a user-agent summary, say), shown in listings. Empty unless
	// the app records one.
	Device string
}

// OwnerFunc reads the owner of a session from its encoded data, as scs's
// Codec produced it; token is the token the session is stored under, for
// functions that want it (GobOwner does not). Stores call it on every
// Commit when their Config sets one, from many goroutines at once; an
// error fails that Commit. GobOwner is the one for scs's default codec.
type OwnerFunc func(token string, data []byte) (Owner, error)

// SessionInfo describes one of an owner's live sessions.
type SessionInfo struct {
	// ID names the session for RevokeSession and RevokeOwner's keep
	// argument. It is derived from the stored token by SessionID and cannot
	// be turned back into it, so it is safe to show in a page.
	ID string
	// Device is what the OwnerFunc returned as the device, if anything.
	Device string
	// Created is when the session was first written; LastSeen when it was
	// last written (with a touch threshold, up to that threshold ago).
	Created, LastSeen time.Time
	// Expiry is when the session ends unless it is written again.
	Expiry time.Time
}

// OwnerStore is the owner index a store offers when its Config sets an
// OwnerFunc: list one owner's sessions and revoke them. Every method works
// on the tokens as stored, so it behaves the same whether or not the app
// sets scs's HashTokenInStore.
type OwnerStore interface {
	// OwnerSessions lists owner's live sessions, most recently seen first.
	// It returns an empty non-nil slice when there are none.
	OwnerSessions(ctx context.Context, owner string) ([]SessionInfo, error)

	// RevokeOwner deletes every session of owner except the one whose
	// SessionInfo.ID is keep (pass "" to delete them all: "log out
	// everywhere"; a keep that names none of owner's sessions keeps none),
	// and reports how many live sessions it deleted (the owner's expired
	// rows, which OwnerSessions never lists, go too, uncounted). For two
	// minutes the store then refuses Commits of the revoked sessions, so
	// that a request of a revoked device that was already running cannot
	// write its session back when it finishes.
	RevokeOwner(ctx context.Context, owner, keep string) (int64, error)

	// RevokeSession deletes owner's session whose SessionInfo.ID is id, and
	// reports whether the row it deleted was live when deleted (an expired
	// row of that ID goes too, but reports false, as OwnerSessions never
	// listed it);
	// its late Commits are refused as after RevokeOwner. A session of
	// another owner is never deleted.
	RevokeSession(ctx context.Context, owner, id string) (bool, error)

	// IndexOwners records the owners of the live sessions written before
	// the owner index was on (they get one at their next write anyway), so
	// that listings and revocations see them at once, and reports how many
	// it indexed. It reads the table in batches; run it once after turning
	// the index on.
	IndexOwners(ctx context.Context) (int64, error)
}

// SessionID is the SessionInfo.ID of the session stored under token: a
// one-way digest, so listings never reveal a token. Apps find the ID of
// the current request's session with sessionsql.CurrentSessionID.
func SessionID(storedToken string) string {
	sum := sha256.Sum256([]byte("sessionsql session id\x00" + storedToken))
	return base64.RawURLEncoding.EncodeToString(sum[:16])
}
