package sessionsql

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// mapDriver is an in-memory Driver and OwnerDriver of the owner index
// alone, whose deletes leave tombstones as a Driver's must.
type mapDriver struct {
	mu     sync.Mutex
	rows   map[string]string    // token -> owner
	expiry map[string]time.Time // token -> stored expiry
	dead   map[string]bool      // tombstones
	// listed, when set, is the expiry OwnerRows reports for every row in
	// place of the stored one: a read taken before a write changed it.
	listed time.Time
}

func (d *mapDriver) Find(context.Context, string, time.Time) ([]byte, time.Time, bool, error) {
	return nil, time.Time{}, false, nil
}
func (d *mapDriver) Commit(context.Context, string, []byte, time.Time) (bool, error) {
	return false, errors.New("mapDriver: the owner index is on")
}
func (d *mapDriver) Delete(_ context.Context, token string, _ time.Time, _ time.Duration) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.bury(token)
	return nil
}

// bury turns token's row into a tombstone; d.mu is held.
func (d *mapDriver) bury(token string) {
	delete(d.rows, token)
	d.dead[token] = true
}
func (d *mapDriver) All(context.Context, time.Time) (map[string][]byte, error) { return nil, nil }
func (d *mapDriver) DeleteExpired(context.Context, time.Time, int) (int64, error) {
	return 0, nil
}
func (d *mapDriver) Close() error { return nil }

func (d *mapDriver) CommitOwned(_ context.Context, token string, _ []byte, exp time.Time, o Owner, _ time.Time) (bool, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.dead[token] {
		return false, nil
	}
	d.rows[token] = o.ID
	d.expiry[token] = exp
	return true, nil
}

func (d *mapDriver) OwnerRows(_ context.Context, owner string, _ time.Time) ([]OwnedRow, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []OwnedRow
	for tok, o := range d.rows {
		if o == owner {
			exp := d.expiry[tok]
			if !d.listed.IsZero() {
				exp = d.listed
			}
			out = append(out, OwnedRow{Token: tok, Expiry: exp})
		}
	}
	return out, nil
}

func (d *mapDriver) DeleteOwner(_ context.Context, owner, keep string, _ time.Time, _ time.Duration) (int64, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	var n int64
	for tok, o := range d.rows {
		if o == owner && tok != keep {
			d.bury(tok)
			n++
		}
	}
	return n, nil
}

func (d *mapDriver) DeleteOwned(_ context.Context, owner, token string, now time.Time, _ time.Duration) (int64, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.rows[token] != owner {
		return 0, nil
	}
	d.bury(token)
	if d.expiry[token].After(now) {
		return 1, nil
	}
	return 0, nil
}
func (d *mapDriver) UnownedRows(context.Context, time.Time, string, int) ([]UnownedRow, error) {
	return nil, nil
}
func (d *mapDriver) SetOwner(context.Context, string, []byte, Owner, time.Time) (int64, error) {
	return 0, nil
}

// loggedIn returns a Store over a mapDriver with the owner index on (a
// session's data is its owner's ID), closed when t ends, in which owner
// "U" has committed the session "tok", expiring at exp.
func loggedIn(t *testing.T) (d *mapDriver, c *Store, exp time.Time) {
	t.Helper()
	d = &mapDriver{rows: map[string]string{}, expiry: map[string]time.Time{}, dead: map[string]bool{}}
	c = NewStore(d, Config{CleanupInterval: -1, Owner: func(_ string, data []byte) (Owner, error) {
		return Owner{ID: string(data)}, nil
	}})
	t.Cleanup(func() { c.Close() })
	exp = time.Now().Add(time.Hour)
	if err := c.CommitCtx(context.Background(), "tok", []byte("U"), exp); err != nil {
		t.Fatal(err)
	}
	return d, c, exp
}

// TestRefusedCommitIsNoWrite: a Commit the Driver refuses (of a session
// revoked moments ago) succeeds without writing, so Stats counts it among
// Commits and Refused but not among Writes.
func TestRefusedCommitIsNoWrite(t *testing.T) {
	d, c, exp := loggedIn(t)
	ctx := context.Background()
	if _, err := c.RevokeOwner(ctx, "U", ""); err != nil {
		t.Fatal(err)
	}
	if err := c.CommitCtx(ctx, "tok", []byte("U"), exp); err != nil {
		t.Fatalf("Commit of a revoked session: %v, want nil", err)
	}
	if st := c.Stats(); st.Commits != 2 || st.Writes != 1 || st.Refused != 1 {
		t.Fatalf("after a refused Commit: %d commits, %d writes, %d refused; want 2, 1 and 1", st.Commits, st.Writes, st.Refused)
	}
	if _, ok := d.rows["tok"]; ok {
		t.Fatal("the refused Commit wrote the session")
	}
}

// TestRevokeSessionJudgesTheDeletedRow: whether RevokeSession logged a
// session out is decided by the row it deleted, not by the owner's rows it
// read first, which a Commit may have renewed (or time expired) since.
func TestRevokeSessionJudgesTheDeletedRow(t *testing.T) {
	for _, tc := range []struct {
		name   string
		listed time.Duration // the listed row's expiry, from now
		stored time.Duration // the deleted row's
		want   bool
	}{
		{"listed expired, renewed before the delete", -time.Minute, time.Hour, true},
		{"listed live, expired before the delete", time.Hour, -time.Minute, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, c, _ := loggedIn(t)
			now := time.Now()
			d.mu.Lock()
			d.listed, d.expiry["tok"] = now.Add(tc.listed), now.Add(tc.stored)
			d.mu.Unlock()
			revoked, err := c.RevokeSession(context.Background(), "U", SessionID("tok"))
			if err != nil || revoked != tc.want {
				t.Fatalf("RevokeSession = (%v, %v), want %v", revoked, err, tc.want)
			}
			d.mu.Lock()
			defer d.mu.Unlock()
			if _, ok := d.rows["tok"]; ok {
				t.Fatal("RevokeSession left the row")
			}
		})
	}
}
