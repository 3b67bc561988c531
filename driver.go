package sessionsql

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// A Driver keeps sessions in one table of one database: what a backend
// implements, and NewStore turns into a Store. postgresstore and
// sqlitestore are Drivers; package storetest checks that one keeps every
// promise.
//
// A deleted session is final: Delete (and the owner index's deletes)
// leave a tombstone in the session's place, which every Driver over the
// same table honours. Find, All and the owner index never see a
// tombstone; Commit of its token writes nothing; DeleteExpired removes it
// once its expiry, the later of the session's own and the delete's, plus
// the grace, has passed. A Commit racing a Delete of one token must never
// leave it live, whichever comes first: the database decides, in one
// statement each.
//
// The Store does all the checking: it calls a Driver only with valid
// tokens (see ValidToken), data within MaxDataSize and never nil, and the
// time of its own clock; it counts, times and labels what the Driver
// returns. A Driver's methods are called from many goroutines at once.
//
// A Driver returns its database's errors as they are; where it implements
// ErrorExplainer the Store passes them through it first. DeleteExpired
// returns an error wrapping ErrLockHeld when another instance is deleting
// from the same table; a Driver whose database cannot tell simply never
// does.
type Driver interface {
	// Find returns the data and expiry of token's session if its expiry
	// is after now; found is false, with a nil error, when there is no
	// such session (a tombstone is none). The caller owns the data.
	Find(ctx context.Context, token string, now time.Time) (data []byte, expiry time.Time, found bool, err error)

	// Commit writes data and expiry under token in one atomic step,
	// creating the session or replacing both of its values, and reports
	// whether it wrote: not over a tombstone, which stays as it is.
	Commit(ctx context.Context, token string, data []byte, expiry time.Time) (wrote bool, err error)

	// Delete turns token's session into a tombstone that lasts until the
	// later of its expiry and now, plus grace; with no session under
	// token it leaves a tombstone until now plus grace, and a tombstone it
	// leaves as it is. It is no error when there was nothing to delete.
	Delete(ctx context.Context, token string, now time.Time, grace time.Duration) error

	// All returns the data of every session whose expiry is after now.
	All(ctx context.Context, now time.Time) (map[string][]byte, error)

	// DeleteExpired deletes up to limit rows (every one when limit <= 0)
	// whose expiry is at or before now, tombstones included, and reports
	// how many it deleted.
	DeleteExpired(ctx context.Context, now time.Time, limit int) (int64, error)

	// Close releases what the Driver opened itself, once the Store has
	// stopped calling it. It never closes a database handle it was given.
	Close() error
}

// OwnerDriver is a Driver with the owner index (see Config.Owner): the
// Store uses these methods when the Driver has them, and fails its owner
// methods when it has not.
type OwnerDriver interface {
	Driver

	// CommitOwned is Commit that also records owner (its ID and Device
	// empty for an anonymous session), sets the row's last-seen time to
	// now and, for a new row, its creation time.
	CommitOwned(ctx context.Context, token string, data []byte, expiry time.Time, owner Owner, now time.Time) (wrote bool, err error)

	// OwnerRows returns owner's sessions whose expiry is after now, the
	// most recently seen first.
	OwnerRows(ctx context.Context, owner string, now time.Time) ([]OwnedRow, error)

	// DeleteOwner deletes owner's sessions but the one under keep (""
	// keeps none), as Delete does, and reports how many of them were live
	// (expiry after now).
	DeleteOwner(ctx context.Context, owner, keep string, now time.Time, grace time.Duration) (int64, error)

	// DeleteOwned deletes token's session, as Delete does, if owner owns
	// it, and reports whether it was live: 1, or 0.
	DeleteOwned(ctx context.Context, owner, token string, now time.Time, grace time.Duration) (int64, error)

	// UnownedRows returns up to limit live sessions without an owner
	// whose token sorts after after, in token order.
	UnownedRows(ctx context.Context, now time.Time, after string, limit int) ([]UnownedRow, error)

	// SetOwner records owner on token's session if it has none yet and
	// still holds data, with its creation and last-seen times set to now
	// where empty, and reports how many rows it changed.
	SetOwner(ctx context.Context, token string, data []byte, owner Owner, now time.Time) (int64, error)
}

// OwnedRow is one of an owner's rows as the database holds it.
type OwnedRow struct {
	Token             string
	Device            string
	Created, LastSeen time.Time // zero for a row written before the owner index
	Expiry            time.Time
}

// UnownedRow is a live row the owner index does not know yet.
type UnownedRow struct {
	Token string
	Data  []byte
}

// ErrorExplainer is a Driver that tells what its database's errors mean:
// Explain returns err, or an error wrapping it that says more, such as
// MissingTable's and MissingColumns'. The Store calls it on every error a
// Driver method returns.
type ErrorExplainer interface {
	Explain(err error) error
}

// GroupCounter is a Driver that runs several operations in one statement
// or transaction when they arrive together: Grouped reports how many ran
// so, as Stats.Grouped.
type GroupCounter interface {
	Grouped() int64
}

// MissingTable returns err, a database's error for a session table that
// does not exist, as an error matching ErrNoTable that says what to do:
// for the table the migrations create, apply them (as migrate says);
// for another, create it.
func MissingTable(table, migrate string, err error) error {
	schema, name, qualified := strings.Cut(table, ".")
	switch {
	case table == DefaultTableName:
		return fmt.Errorf("%w (table %s): apply the migrations first (%s): %w", ErrNoTable, table, migrate, err)
	case qualified && name == DefaultTableName:
		return fmt.Errorf("%w (table %s): the migrations create %q in the first schema of the search_path (PostgreSQL) or the main database (SQLite): apply them where that is %s, or create the table yourself: %w",
			ErrNoTable, table, DefaultTableName, schema, err)
	}
	return fmt.Errorf("%w (table %s): the migrations create only %q: create %s yourself with their columns and indexes, or leave TableName empty: %w",
		ErrNoTable, table, DefaultTableName, table, err)
}

// MissingColumns returns err, a database's error for a column the session
// table lacks, as an error matching ErrOldSchema that says to apply the
// migrations (as migrate says).
func MissingColumns(table, migrate string, err error) error {
	return fmt.Errorf("%w (table %s): apply the latest migrations (%s): %w", ErrOldSchema, table, migrate, err)
}
