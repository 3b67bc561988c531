package sessionsql

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"time"

	"github.com/alexedwards/scs/v2"
)

// Owner is what the owner index records of whose a session is. The zero
// Owner is an anonymous session: nothing is indexed for it.
type Owner struct {
	// ID is the account the session belongs to, as the app names it (a user
	// id, an email). Empty for an anonymous session.
	ID string
	// Device is an optional description the app keeps in the session (a
	// user-agent summary, say), shown in listings.
	Device string
}

// OwnerFunc reads the owner of a session from its data, as scs's Codec
// encoded it; token is the token it is stored under, for functions that
// want it. With Config.Owner set, the store calls it on every Commit, from
// many goroutines at once; an error fails that Commit. GobOwner is the one
// for scs's default codec.
type OwnerFunc func(token string, data []byte) (Owner, error)

// Limits on what an OwnerFunc returns: a longer owner ID fails the Commit;
// a longer device description is cut to fit.
const (
	MaxOwnerLength  = 256
	MaxDeviceLength = 200
)

// SessionInfo describes one of an owner's live sessions.
type SessionInfo struct {
	// ID names the session for RevokeSession and RevokeOwner's keep. It is
	// a one-way digest of the stored token (SessionID), safe to show in a
	// page.
	ID string
	// Device is what the OwnerFunc returned as the device, if anything.
	Device string
	// Created is when the session was first written; LastSeen when it was
	// last written (with a touch threshold, up to that threshold ago).
	Created, LastSeen time.Time
	// Expiry is when the session ends unless it is written again.
	Expiry time.Time
}

// SessionID is the SessionInfo.ID of the session stored under
// storedToken: a digest that cannot be turned back into the token.
func SessionID(storedToken string) string {
	sum := sha256.Sum256([]byte("sessionsql session id\x00" + storedToken))
	return base64.RawURLEncoding.EncodeToString(sum[:16])
}

// CurrentSessionID returns the SessionInfo.ID of the session sm loaded into
// ctx, to mark the current session in an owner's listing and keep it in
// RevokeOwner. It follows sm.HashTokenInStore as scs does. It returns ""
// for a session that has no token yet (new, not yet committed).
func CurrentSessionID(sm *scs.SessionManager, ctx context.Context) string {
	token := sm.Token(ctx)
	if token == "" {
		return ""
	}
	return SessionID(StoredToken(sm, token))
}

// StoredToken is the key scs stores token's session under: token itself,
// or base64url(sha256(token)) when sm.HashTokenInStore is set.
func StoredToken(sm *scs.SessionManager, token string) string {
	if !sm.HashTokenInStore {
		return token
	}
	sum := sha256.Sum256([]byte(token))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
