package postgresstore

import (
	"context"
	"time"
)

// Find returns the data of a live session. See FindCtx.
func (s *Store) Find(token string) ([]byte, bool, error) {
	return s.c.Find(context.Background(), token)
}

// FindCtx returns the data of the session token names, if it exists and its
// expiry is after the store's clock. A missing, expired, empty, overlong or
// malformed token gives (nil, false, nil); err is only for system errors.
func (s *Store) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	return s.c.Find(ctx, token)
}

// Commit stores a session. See CommitCtx.
func (s *Store) Commit(token string, b []byte, expiry time.Time) error {
	return s.c.Commit(context.Background(), token, b, expiry)
}

// CommitCtx inserts the session or overwrites its data and expiry, in one
// atomic statement. It fails with store.ErrInvalidToken for a token scs
// could not have made and with store.ErrTooLarge for data over MaxDataSize.
func (s *Store) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	return s.c.Commit(ctx, token, b, expiry)
}

// Delete removes a session. See DeleteCtx.
func (s *Store) Delete(token string) error {
	return s.c.Delete(context.Background(), token)
}

// DeleteCtx removes the session token names. Deleting a session that does
// not exist, or a malformed token, is a no-op that returns nil.
func (s *Store) DeleteCtx(ctx context.Context, token string) error {
	return s.c.Delete(ctx, token)
}

// All returns every live session. See AllCtx.
func (s *Store) All() (map[string][]byte, error) {
	return s.c.All(context.Background())
}

// AllCtx returns every live session, token to data; an empty, non-nil map
// when there are none. It reads the whole table: fine for admin tasks, not
// for every request.
func (s *Store) AllCtx(ctx context.Context) (map[string][]byte, error) {
	return s.c.All(ctx)
}

// DeleteExpired deletes at most limit sessions whose expiry is at or before
// the store's clock (limit <= 0: all of them), each statement its own short
// transaction, and returns how many it deleted. It runs one statement, or
// two when the call before it left off at an expiry: one from there on, and
// if that one comes back short, one from the start, for whatever expired
// behind it. If another instance sharing the table is
// deleting at this moment it deletes nothing and returns an error matching
// store.ErrLockHeld. Rows a live request holds are skipped and expiry is
// checked again at delete time.
func (s *Store) DeleteExpired(ctx context.Context, limit int) (int64, error) {
	return s.c.DeleteExpired(ctx, limit)
}
