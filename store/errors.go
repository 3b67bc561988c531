package store

import "errors"

// ErrClosed is returned (wrapped) by every operation on a store after its
// Close method has been called.
var ErrClosed = errors.New("sessionsql: store is closed")

// ErrTooLarge is returned (wrapped) by Commit when the session data is larger
// than the store's configured maximum. The session is not written.
var ErrTooLarge = errors.New("sessionsql: session data exceeds the store's MaxDataSize")

// ErrInvalidToken is returned (wrapped) by Commit when the token is empty,
// longer than MaxTokenLength, not valid UTF-8 or contains a NUL byte. scs
// never produces such tokens; seeing this error means the caller built one
// by hand. Find and Delete never return it: for them an invalid token is
// simply a session that does not exist.
var ErrInvalidToken = errors.New("sessionsql: invalid session token")

// ErrNoTable is returned (wrapped) when the store's table does not exist in
// the database. For the default table, apply the schema with migrations.Up
// (or postgresstore.Migrate, or the sessionsql CLI's "migrate up") and try
// again; the migrations create no table of another name. The wrapping error
// says which applies.
var ErrNoTable = errors.New("sessionsql: session table does not exist")

// ErrLockHeld is returned (wrapped) by DeleteExpired when another instance
// sharing the database is deleting expired sessions from the same table at
// this moment. Nothing was deleted; the other instance is doing the work.
var ErrLockHeld = errors.New("sessionsql: another instance is deleting expired sessions")

// ErrOldSchema is returned (wrapped) when the store's table lacks a column
// the store's Config needs (the owner index needs migration 2). Apply the
// migrations (migrations.Up, postgresstore.Migrate; sqlitestore.Open does
// it itself) and try again; the wrapping error says how for its backend.
var ErrOldSchema = errors.New("sessionsql: session table is missing columns this store needs")
