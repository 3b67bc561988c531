package sessionsql

import (
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"unicode/utf8"
)

// MaxTokenLength is the longest token, in bytes, a store accepts. scs tokens
// (and their HashTokenInStore hashes) are 43 bytes; anything far longer is
// malformed or hostile, so Find reports it as not found without a query and
// Commit rejects it with ErrInvalidToken.
const MaxTokenLength = 256

// ValidToken reports whether token could name a stored session: non-empty,
// at most MaxTokenLength bytes, valid UTF-8 and free of NUL bytes (which
// PostgreSQL text cannot hold).
func ValidToken(token string) bool {
	return token != "" &&
		len(token) <= MaxTokenLength &&
		utf8.ValidString(token) &&
		!strings.ContainsRune(token, 0)
}

// emptyTokenDigest is what scs's HashTokenInStore makes of the empty
// token, which scs deletes when a request without a session calls Destroy
// (a logout without a cookie). No session has it, so deleting it writes
// nothing: every such request would otherwise write the same tombstone
// row.
var emptyTokenDigest = func() string {
	sum := sha256.Sum256(nil)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}()
