package sessionsql

import (
	"context"
	"crypto/sha256"
	"encoding/base64"

	"github.com/alexedwards/scs/v2"
	"github.com/sessionsql/sessionsql/store"
)

// CurrentSessionID returns the store.SessionInfo.ID of the session sm
// loaded into ctx, for telling the current session apart in an owner's
// listing and keeping it in RevokeOwner. It follows sm.HashTokenInStore the
// way scs does, so the ID matches the stored row either way. It returns ""
// when the session has no token yet (a new session not committed so far).
func CurrentSessionID(sm *scs.SessionManager, ctx context.Context) string {
	token := sm.Token(ctx)
	if token == "" {
		return ""
	}
	return store.SessionID(StoredToken(sm, token))
}

// StoredToken is the key scs uses in the store for token: token itself, or
// base64url(sha256(token)) when sm.HashTokenInStore is set.
func StoredToken(sm *scs.SessionManager, token string) string {
	if !sm.HashTokenInStore {
		return token
	}
	sum := sha256.Sum256([]byte(token))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
