package migrations

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/pressly/goose/v3/lock"
)

// ErrLocked is returned (wrapped) by Up, UpTo, Down and DownTo on
// PostgreSQL when another instance held the migration lock for all of
// LockWait (or until the context ended). The error names the holder.
var ErrLocked = errors.New("migrations: another instance holds the migration lock")

// LockTable is the table that holds the PostgreSQL migration lock: one
// row, taken and released by single statements, so that the lock works
// through connection poolers in transaction mode (PgBouncer), where a
// session-level advisory lock can be taken on one server connection,
// released on another and stranded. The holder renews a lease on it while
// it migrates; an instance that dies frees it when the lease runs out.
const LockTable = "sessionsql_lock"

// LockWait is how long a PostgreSQL migration waits for another
// instance's lock before it gives up with ErrLocked. Give it a context
// with an earlier deadline to give up sooner.
const LockWait = 2 * time.Minute

// The lock's timing: how long a lease lasts without renewal, how often the
// holder renews it, and how often a waiter tries again.
const (
	lockLease     = 30 * time.Second
	lockHeartbeat = 5 * time.Second
	lockPoll      = 500 * time.Millisecond
)

// lockWait is LockWait; the tests shorten it.
var lockWait = LockWait

// lockID names sessionsql's row in LockTable.
const lockID int64 = 0x5e5510_5e5510

// tableLock is goose's table locker for LockTable, whose failure to take
// the lock says who holds it and what to do.
type tableLock struct{ lock.Locker }

func newTableLock() (tableLock, error) {
	l, err := lock.NewPostgresTableLocker(
		lock.WithTableName(LockTable),
		lock.WithTableLockID(lockID),
		lock.WithTableLeaseDuration(lockLease),
		lock.WithTableHeartbeatInterval(lockHeartbeat),
		lock.WithTableLockTimeout(lockPoll, uint64(max(1, lockWait/lockPoll))),
		lock.WithTableUnlockTimeout(time.Second, 30),
		lock.WithTableLogger(slog.New(slog.DiscardHandler)),
		lock.WithTableRetryPolicy(retryable),
	)
	return tableLock{l}, err
}

// retryable reports whether taking or releasing the lock may succeed on
// another try: when another instance holds it, and on errors of the
// connection or of a server that is busy, starting or shutting down. It is
// false for the rest, which waiting does not cure (a read-only server, a
// missing privilege), and for the release of a lock another instance took
// over once this one's lease ran out (goose says "not held by this
// instance").
func retryable(err error) bool {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "not held by this instance"):
		return false
	case strings.Contains(msg, heldByAnother):
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch code := pgErr.Code; {
		case code == "55P03": // lock_not_available: a lock_timeout of the connection's
			return true
		case code == "57P04": // database_dropped: not coming back
			return false
		case strings.HasPrefix(code, "08"), // connection exception
			strings.HasPrefix(code, "40"), // serialization failure, deadlock
			strings.HasPrefix(code, "53"), // insufficient resources: too many connections
			strings.HasPrefix(code, "57"): // operator intervention: shutting down, starting up, a statement timeout
			return true
		}
		return false
	}
	return true // the connection broke before the server answered
}

// heldByAnother is what goose's error says when another instance holds
// the lock.
const heldByAnother = "already held by another instance"

// lockError is the error of a migration that gave up waiting for the lock.
// It matches ErrLocked.
type lockError struct {
	holder string // who holds it, as lockHolder says
	waited string // for how long it was waited for
	cause  error  // goose's error
}

func (e *lockError) Error() string {
	return fmt.Sprintf("another instance holds the migration lock (%s) and kept it %s: it is applying migrations to this database; let it finish and try again (an instance that died frees the lock %v after its last renewal)",
		e.holder, e.waited, lockLease)
}

func (e *lockError) Unwrap() []error { return []error{ErrLocked, e.cause} }

// Lock takes the lock for goose, which holds one connection of db while
// it does: it first makes sure db has a second one to give, within
// lockWait, so that a db over a pool of one connection fails saying so
// instead of waiting forever. Giving up on another instance's lock is a
// lockError, matching ErrLocked; any other failure is said as it is.
func (l tableLock) Lock(ctx context.Context, db *sql.DB) error {
	if err := secondConn(ctx, db); err != nil {
		return err
	}
	err := l.Locker.Lock(ctx, db)
	if err == nil {
		return nil
	}
	if !strings.Contains(err.Error(), heldByAnother) && ctx.Err() == nil {
		return fmt.Errorf("take the migration lock: %w", err)
	}
	holder, ok := lockHolder(ctx, db)
	if !ok {
		holder = "released just now, after the last try"
	}
	waited := "for " + lockWait.String()
	if ctx.Err() != nil {
		waited = "until the context ended"
	}
	return &lockError{holder: holder, waited: waited, cause: err}
}

// secondConn checks that db gives a connection besides the one goose
// holds, within lockWait.
func secondConn(ctx context.Context, db *sql.DB) error {
	wait, cancel := context.WithTimeout(ctx, lockWait)
	defer cancel()
	c, err := db.Conn(wait)
	switch {
	case err == nil:
		return c.Close()
	case ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("db gave no second connection within %v: on PostgreSQL migrating needs two at once, the migration lock's and goose's own; use a *sql.DB (or the pgxpool under it) that allows two or more: %w", lockWait, err)
	}
	return fmt.Errorf("take the migration lock: %w", err)
}

// lockHolder describes who holds the lock, as its row says: the holder's
// host, process and a random suffix, since when, and until when its lease
// runs. ok is false when the row says nobody holds it.
func lockHolder(ctx context.Context, db *sql.DB) (string, bool) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	var by sql.NullString
	var since, until sql.NullTime
	err := db.QueryRowContext(ctx, `SELECT locked_by, locked_at, lease_expires_at FROM `+LockTable+` WHERE lock_id = $1 AND locked AND lease_expires_at > now()`, lockID).
		Scan(&by, &since, &until)
	if err != nil || !by.Valid {
		return "", false
	}
	return fmt.Sprintf("held by %s since %s, its lease running until %s",
		by.String, since.Time.UTC().Format(time.RFC3339), until.Time.UTC().Format(time.RFC3339)), true
}
