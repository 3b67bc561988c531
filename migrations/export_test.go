package migrations

import (
	"context"
	"database/sql"
	"time"
)

// SetLockWait shortens how long a migration waits for the lock, until the
// returned func undoes it.
func SetLockWait(d time.Duration) (undo func()) {
	old := lockWait
	lockWait = d
	return func() { lockWait = old }
}

// HoldLock takes the migration lock on db as another instance would, and
// keeps it (renewing its lease) until the returned func releases it.
func HoldLock(ctx context.Context, db *sql.DB) (release func() error, err error) {
	l, err := newTableLock()
	if err != nil {
		return nil, err
	}
	if err := l.Lock(ctx, db); err != nil {
		return nil, err
	}
	return func() error { return l.Unlock(context.Background(), db) }, nil
}
