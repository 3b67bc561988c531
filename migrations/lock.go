package migrations

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
)

// advisoryLockID is the PostgreSQL advisory lock key that serialises
// sessionsql migrations across instances. It differs from goose's default,
// so the application's own goose migrations never wait on ours.
const advisoryLockID int64 = 0x5e5510_5e5510

// advisoryLocker is a goose SessionLocker that waits on a session-level
// advisory lock (pg_advisory_lock) for as long as ctx allows, instead of
// polling as goose's own locker does every few seconds.
type advisoryLocker struct{}

func (advisoryLocker) SessionLock(ctx context.Context, conn *sql.Conn) error {
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", advisoryLockID); err != nil {
		return fmt.Errorf("take migration lock: %w", err)
	}
	return nil
}

// SessionUnlock releases the lock. If that fails on a connection that is
// still open, the connection is discarded rather than returned to the pool
// still holding the lock, which would make every later Up wait forever.
func (advisoryLocker) SessionUnlock(ctx context.Context, conn *sql.Conn) error {
	var released bool
	err := conn.QueryRowContext(ctx, "SELECT pg_advisory_unlock($1)", advisoryLockID).Scan(&released)
	if err == nil && released {
		return nil
	}
	if err == nil {
		err = errors.New("the lock was not held")
	}
	_ = conn.Raw(func(any) error { return driver.ErrBadConn }) // drop the connection
	return fmt.Errorf("release migration lock: %w", err)
}
