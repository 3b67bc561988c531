package sessionsql

import "errors"

// The errors callers branch on. A Store's errors wrap them, so test with
// errors.Is; the wrapping error says what happened and what to do.
var (
	// ErrClosed: the store's Close has been called.
	ErrClosed = errors.New("sessionsql: store is closed")

	// ErrTooLarge: Commit was given more data than Config.MaxDataSize. The
	// session is not written.
	ErrTooLarge = errors.New("sessionsql: session data exceeds MaxDataSize")

	// ErrInvalidToken: Commit was given a token scs never makes: empty,
	// longer than MaxTokenLength, not UTF-8, or holding a NUL. Find and
	// Delete never return it: to them such a token names no session.
	ErrInvalidToken = errors.New("sessionsql: invalid session token")

	// ErrNoTable: the session table does not exist. Apply the migrations
	// (or, for a table of another name, create it) and try again.
	ErrNoTable = errors.New("sessionsql: session table does not exist")

	// ErrOldSchema: the session table lacks a column a later migration
	// adds (the owner index needs migration 2). Apply the migrations.
	ErrOldSchema = errors.New("sessionsql: session table is missing columns this store needs")

	// ErrLockHeld: DeleteExpired found another instance deleting expired
	// sessions from the same table at this moment, and left it the work.
	ErrLockHeld = errors.New("sessionsql: another instance is deleting expired sessions")
)
