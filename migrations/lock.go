package migrations

import (
	"context"
	"database/sql"
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

func (advisoryLocker) SessionUnlock(ctx context.Context, conn *sql.Conn) error {
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_unlock($1)", advisoryLockID); err != nil {
		return fmt.Errorf("release migration lock: %w", err)
	}
	return nil
}
