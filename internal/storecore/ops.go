package storecore

import (
	"context"
	"errors"
	"time"

	"github.com/sessionsql/sessionsql/store"
)

// Driver is the SQL half of a store: one method per statement, no checks.
// Core calls it only with valid tokens, checked data and the store's clock.
type Driver interface {
	// Find returns the data of token, and its expiry if wantExpiry, if its
	// expiry is after now; found is false, with a nil error, when there is
	// no such row.
	Find(ctx context.Context, token string, now time.Time, wantExpiry bool) (data []byte, expiry time.Time, found bool, err error)
	// Commit upserts data and expiry in one statement.
	Commit(ctx context.Context, token string, data []byte, expiry time.Time) error
	// Delete removes token's row, if any.
	Delete(ctx context.Context, token string) error
	// All returns every row whose expiry is after now.
	All(ctx context.Context, now time.Time) (map[string][]byte, error)
	// DeleteExpired deletes up to limit rows (all when limit <= 0) whose
	// expiry is at or before now.
	DeleteExpired(ctx context.Context, now time.Time, limit int) (int64, error)
}

// Find is FindCtx for every backend: see store.Store.
func (c *Core) Find(ctx context.Context, token string) ([]byte, bool, error) {
	defer observe(&c.stats.findTime, time.Now())
	if err := c.Ready(ctx); err != nil {
		return nil, false, c.Fail(ctx, "find", err)
	}
	if !store.ValidToken(token) {
		return nil, false, nil
	}
	c.stats.finds.Add(1)
	data, expiry, found, err := c.driver.Find(ctx, token, c.Now(), c.touch != nil)
	if err != nil {
		return nil, false, c.fail(ctx, "find", err)
	}
	if !found {
		return nil, false, nil
	}
	c.stats.findHits.Add(1)
	if data == nil {
		data = []byte{}
	}
	if c.touch != nil {
		c.touch.remember(token, data, expiry)
	}
	return data, true, nil
}

// Commit is CommitCtx for every backend: see store.Store.
func (c *Core) Commit(ctx context.Context, token string, data []byte, expiry time.Time) error {
	defer observe(&c.stats.commitTime, time.Now())
	if err := c.Ready(ctx); err != nil {
		return c.Fail(ctx, "commit", err)
	}
	if err := c.CheckCommit(token, data); err != nil {
		return c.Fail(ctx, "commit", err)
	}
	c.stats.commits.Add(1)
	if c.touch != nil && c.touch.unchanged(token, data, expiry) {
		c.stats.touchSkips.Add(1)
		return nil
	}
	if data == nil {
		data = []byte{} // data is NOT NULL; drivers send a nil slice as NULL
	}
	wrote, err := c.commit(ctx, token, data, expiry)
	if err != nil {
		return err
	}
	if wrote {
		c.stats.writes.Add(1)
	}
	if c.touch != nil {
		c.touch.forget(token) // the next Find reads what was just written
	}
	return nil
}

// commit writes one session, with its owner when the owner index is on,
// and reports whether it wrote: a Commit of a session revoked moments ago
// succeeds without writing.
func (c *Core) commit(ctx context.Context, token string, data []byte, expiry time.Time) (bool, error) {
	if c.owner == nil {
		if err := c.driver.Commit(ctx, token, data, expiry); err != nil {
			return false, c.fail(ctx, "commit", err)
		}
		return true, nil
	}
	if c.ownerDriver == nil {
		return false, c.Fail(ctx, "commit", errNoOwner)
	}
	if c.revoked.has(token, c.Now()) {
		return false, nil // a request of a revoked device, finishing after the revoke
	}
	o, err := c.owned(token, data)
	if err != nil {
		return false, c.Fail(ctx, "commit", err)
	}
	err = c.ownerDriver.CommitOwned(ctx, token, data, expiry, o, c.Now())
	if c.revoked.has(token, c.Now()) {
		// Revoked while this write was on its way (queued behind others,
		// say): the revocation's delete may have run first, so delete again.
		// Even when the write failed: a statement whose context ended while
		// its reply was on the way may have committed all the same.
		if derr := c.driver.Delete(context.WithoutCancel(ctx), token); derr != nil && err == nil {
			err = derr
		}
	}
	if err != nil {
		return false, c.fail(ctx, "commit", err)
	}
	return true, nil
}

// Delete is DeleteCtx for every backend: see store.Store.
func (c *Core) Delete(ctx context.Context, token string) error {
	defer observe(&c.stats.deleteTime, time.Now())
	if err := c.Ready(ctx); err != nil {
		return c.Fail(ctx, "delete", err)
	}
	if !store.ValidToken(token) {
		return nil
	}
	if c.touch != nil {
		c.touch.forget(token)
	}
	c.stats.deletes.Add(1)
	if err := c.driver.Delete(ctx, token); err != nil {
		return c.fail(ctx, "delete", err)
	}
	return nil
}

// All is AllCtx for every backend: see store.Store.
func (c *Core) All(ctx context.Context) (map[string][]byte, error) {
	if err := c.Ready(ctx); err != nil {
		return nil, c.Fail(ctx, "all", err)
	}
	m, err := c.driver.All(ctx, c.Now())
	if err != nil {
		return nil, c.fail(ctx, "all", err)
	}
	if m == nil {
		m = map[string][]byte{}
	}
	return m, nil
}

// DeleteExpired is DeleteExpired for every backend: see store.Store.
func (c *Core) DeleteExpired(ctx context.Context, limit int) (int64, error) {
	if err := c.Ready(ctx); err != nil {
		return 0, c.Fail(ctx, "delete expired", err)
	}
	n, err := c.driver.DeleteExpired(ctx, c.Now(), limit)
	if err != nil {
		if errors.Is(err, store.ErrLockHeld) {
			return 0, c.Fail(ctx, "delete expired", err)
		}
		return 0, c.fail(ctx, "delete expired", err)
	}
	return n, nil
}

// fail is Fail for an error from the database: it also counts it.
func (c *Core) fail(ctx context.Context, op string, err error) error {
	c.stats.errors.Add(1)
	return c.Fail(ctx, op, err)
}

// observe records the time since start; it uses the real clock, never the
// store's injected one.
func observe(r *store.LatencyRecorder, start time.Time) { r.Observe(time.Since(start)) }
