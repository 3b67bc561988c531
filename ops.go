package sessionsql

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Find returns the data of a live session: see FindCtx.
func (s *Store) Find(token string) ([]byte, bool, error) {
	return s.FindCtx(context.Background(), token)
}

// FindCtx returns the data of the session token names if its expiry is
// after the store's clock. A missing, expired or malformed token gives
// (nil, false, nil): err is for system errors only.
func (s *Store) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	defer s.stats.findTime.since(time.Now())
	if err := s.ready(ctx); err != nil {
		return nil, false, s.fail(ctx, "find", err)
	}
	if !ValidToken(token) {
		return nil, false, nil
	}
	s.stats.finds.Add(1)
	data, expiry, found, err := s.driver.Find(ctx, token, s.now())
	if err != nil {
		return nil, false, s.failed(ctx, "find", err)
	}
	if !found {
		return nil, false, nil
	}
	s.stats.findHits.Add(1)
	if data == nil {
		data = []byte{}
	}
	if s.touch != nil {
		s.touch.remember(token, data, expiry)
	}
	return data, true, nil
}

// Commit writes a session: see CommitCtx.
func (s *Store) Commit(token string, data []byte, expiry time.Time) error {
	return s.CommitCtx(context.Background(), token, data, expiry)
}

// CommitCtx writes the session's data and expiry in one atomic step,
// creating it or replacing both. A session deleted lately (see DeleteCtx)
// is not written back: the Commit writes nothing and returns nil, so the
// request that made it ends as usual, logged out. CommitCtx fails with
// ErrInvalidToken for a token scs never makes and with ErrTooLarge for
// data over Config.MaxDataSize, writing nothing.
func (s *Store) CommitCtx(ctx context.Context, token string, data []byte, expiry time.Time) error {
	defer s.stats.commitTime.since(time.Now())
	if err := s.ready(ctx); err != nil {
		return s.fail(ctx, "commit", err)
	}
	if !ValidToken(token) {
		return s.fail(ctx, "commit", ErrInvalidToken)
	}
	if len(data) > s.maxData {
		return s.fail(ctx, "commit", fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(data), s.maxData))
	}
	s.stats.commits.Add(1)
	if s.touch != nil && s.touch.unchanged(token, data, expiry) {
		s.stats.touchSkips.Add(1)
		return nil
	}
	if data == nil {
		data = []byte{}
	}
	wrote, err := s.write(ctx, token, data, expiry)
	if err != nil {
		return err
	}
	if wrote {
		s.stats.writes.Add(1)
	} else {
		s.stats.refused.Add(1)
	}
	if s.touch != nil {
		s.touch.forget(token) // the next Find reads what was just written
	}
	return nil
}

// write commits one session, with its owner when the owner index is on,
// and reports whether it wrote: not over a deleted session's tombstone.
func (s *Store) write(ctx context.Context, token string, data []byte, expiry time.Time) (bool, error) {
	if s.owner == nil {
		wrote, err := s.driver.Commit(ctx, token, data, expiry)
		if err != nil {
			return false, s.failed(ctx, "commit", err)
		}
		return wrote, nil
	}
	o, err := s.ownerOf(token, data)
	if err != nil {
		return false, s.fail(ctx, "commit", err)
	}
	wrote, err := s.owners.CommitOwned(ctx, token, data, expiry, o, s.now())
	if err != nil {
		return false, s.failed(ctx, "commit", err)
	}
	return wrote, nil
}

// Delete removes a session: see DeleteCtx.
func (s *Store) Delete(token string) error {
	return s.DeleteCtx(context.Background(), token)
}

// DeleteCtx removes the session token names, for good: until Config's
// DeleteGrace past the session's expiry, no Commit of its token writes it
// back, on any store over the same table; a request that was running when
// it was deleted (a slow upload, a second tab) cannot log it in again. A
// session that does not exist, or a malformed token, is no error. The
// token of a request that never had a session (with scs's
// HashTokenInStore, the digest of the empty token, which scs deletes when
// such a request calls Destroy: a logout without a cookie) is neither
// written nor counted.
func (s *Store) DeleteCtx(ctx context.Context, token string) error {
	defer s.stats.deleteTime.since(time.Now())
	if err := s.ready(ctx); err != nil {
		return s.fail(ctx, "delete", err)
	}
	if !ValidToken(token) || token == emptyTokenDigest {
		return nil
	}
	if s.touch != nil {
		s.touch.forget(token)
	}
	s.stats.deletes.Add(1)
	if err := s.driver.Delete(ctx, token, s.now(), s.grace); err != nil {
		return s.failed(ctx, "delete", err)
	}
	return nil
}

// All returns every live session: see AllCtx.
func (s *Store) All() (map[string][]byte, error) {
	return s.AllCtx(context.Background())
}

// AllCtx returns every live session, token to data: an empty, non-nil map
// when there are none. It reads the whole table: for admin tasks, not for
// every request.
func (s *Store) AllCtx(ctx context.Context) (map[string][]byte, error) {
	if err := s.ready(ctx); err != nil {
		return nil, s.fail(ctx, "all", err)
	}
	m, err := s.driver.All(ctx, s.now())
	if err != nil {
		return nil, s.failed(ctx, "all", err)
	}
	if m == nil {
		m = map[string][]byte{}
	}
	return m, nil
}

// DeleteExpired deletes at most limit rows whose time is at or before the
// store's clock (every one when limit <= 0) and reports how many it
// deleted: expired sessions, and the tombstones of deleted sessions past
// their expiry plus DeleteGrace. When another instance sharing the table is deleting at
// this moment it deletes nothing and returns an error matching
// ErrLockHeld. The Reaper calls it batch by batch; so can a cron job.
func (s *Store) DeleteExpired(ctx context.Context, limit int) (int64, error) {
	if err := s.ready(ctx); err != nil {
		return 0, s.fail(ctx, "delete expired", err)
	}
	n, err := s.driver.DeleteExpired(ctx, s.now(), limit)
	switch {
	case errors.Is(err, ErrLockHeld):
		return 0, s.fail(ctx, "delete expired", err)
	case err != nil:
		return 0, s.failed(ctx, "delete expired", err)
	}
	return n, nil
}
