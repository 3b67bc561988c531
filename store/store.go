// Package store defines the contract every sessionsql backend meets: the
// [Store] interface, the token rules shared by all backends, and the sentinel
// errors callers branch on.
//
// Nothing here talks to a database. The backends live in
// github.com/sessionsql/sessionsql/postgresstore and
// github.com/sessionsql/sessionsql/sqlitestore; the conformance suite that
// proves a backend meets this contract lives in
// github.com/sessionsql/sessionsql/store/storetest.
package store

import (
	"context"

	"github.com/alexedwards/scs/v2"
)

// Store is a session store for scs.SessionManager with the extras sessionsql
// adds: batched deletion of expired sessions and an explicit Close.
//
// Every method is safe for concurrent use. The plain scs methods (Find,
// Commit, Delete, All) behave exactly like their Ctx forms called with
// context.Background().
type Store interface {
	scs.Store
	scs.CtxStore
	scs.IterableStore
	scs.IterableCtxStore

	// DeleteExpired deletes at most limit sessions whose expiry is at or
	// before the store's clock, and reports how many it deleted. A limit of
	// zero or less means "no limit". Callers deleting a large backlog call it
	// repeatedly until it returns fewer than limit rows; the Reaper in the
	// root package does exactly that.
	DeleteExpired(ctx context.Context, limit int) (int64, error)

	// Close stops the store's background cleanup, waits for it to finish and
	// releases what the store opened itself. It never closes a database
	// handle or pool that the caller passed in. Close is idempotent; after it
	// returns, every other method fails with an error matching ErrClosed.
	Close() error
}

// DefaultMaxDataSize is the largest session blob, in bytes, a store accepts
// unless its Config says otherwise: 8 MiB.
const DefaultMaxDataSize = 8 << 20

// DefaultTableName is the table every store uses unless its Config names
// another. It is also the table the migrations create, and the name scs's
// own SQL stores use, so an existing scs table is adopted as it is.
const DefaultTableName = "sessions"
