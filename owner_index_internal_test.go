package sessionsql

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// mapDriver is an in-memory Driver and OwnerDriver whose CommitOwned can
// be held up, to interleave a Commit with a revocation.
type mapDriver struct {
	mu     sync.Mutex
	rows   map[string]string    // token -> owner
	expiry map[string]time.Time // token -> stored expiry
	// listed, when set, is the expiry OwnerRows reports for every row in
	// place of the stored one: a read taken before a write changed it.
	listed time.Time
	hold   chan struct{} // when set, CommitOwned waits on it before writing
	inside chan struct{} // CommitOwned signals here once it is waiting
	// afterWrite, when set, is what CommitOwned returns once it has
	// written: a statement that committed but whose reply never arrived.
	afterWrite error
}

func (d *mapDriver) Find(context.Context, string, time.Time) ([]byte, time.Time, bool, error) {
	return nil, time.Time{}, false, nil
}
func (d *mapDriver) Commit(context.Context, string, []byte, time.Time) error { return nil }
func (d *mapDriver) Delete(_ context.Context, token string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.rows, token)
	return nil
}
func (d *mapDriver) All(context.Context, time.Time) (map[string][]byte, error) { return nil, nil }
func (d *mapDriver) DeleteExpired(context.Context, time.Time, int) (int64, error) {
	return 0, nil
}
func (d *mapDriver) Close() error { return nil }

func (d *mapDriver) CommitOwned(_ context.Context, token string, _ []byte, exp time.Time, o Owner, _ time.Time) error {
	if d.hold != nil {
		d.inside <- struct{}{}
		<-d.hold
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.rows[token] = o.ID
	d.expiry[token] = exp
	return d.afterWrite
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

func (d *mapDriver) DeleteOwner(_ context.Context, owner, keep string, _ time.Time) (int64, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	var n int64
	for tok, o := range d.rows {
		if o == owner && tok != keep {
			delete(d.rows, tok)
			n++
		}
	}
	return n, nil
}

func (d *mapDriver) DeleteOwned(_ context.Context, owner, token string, now time.Time) (int64, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.rows[token] != owner {
		return 0, nil
	}
	delete(d.rows, token)
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
	d = &mapDriver{rows: map[string]string{}, expiry: map[string]time.Time{}}
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

// TestCommitOnItsWayDuringRevoke: a Commit that passed the revocation
// check before RevokeOwner and reaches the database after its delete does
// not bring the session back: the store deletes it again, also when the
// write reports an error after all (its reply lost, its context ended).
func TestCommitOnItsWayDuringRevoke(t *testing.T) {
	for _, tc := range []struct {
		name       string
		afterWrite error
	}{
		{"the write succeeds", nil},
		{"the write lands but reports an error", context.DeadlineExceeded},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, c, exp := loggedIn(t)
			ctx := context.Background()

			d.hold, d.inside, d.afterWrite = make(chan struct{}), make(chan struct{}), tc.afterWrite
			late := make(chan error, 1)
			go func() { late <- c.CommitCtx(ctx, "tok", []byte("U"), exp) }()
			<-d.inside // past the revocation check, not written yet
			if n, err := c.RevokeOwner(ctx, "U", ""); err != nil || n != 1 {
				t.Fatalf("RevokeOwner = (%d, %v), want 1", n, err)
			}
			close(d.hold)
			if err := <-late; !errors.Is(err, tc.afterWrite) {
				t.Fatalf("the Commit on its way: %v, want %v", err, tc.afterWrite)
			}
			d.mu.Lock()
			defer d.mu.Unlock()
			if _, ok := d.rows["tok"]; ok {
				t.Fatal("the revoked session is back after the Commit that was on its way landed")
			}
		})
	}
}

// TestRefusedCommitIsNoWrite: a Commit of a session revoked moments ago
// succeeds without writing, so Stats counts it among Commits but not
// among Writes.
func TestRefusedCommitIsNoWrite(t *testing.T) {
	d, c, exp := loggedIn(t)
	ctx := context.Background()
	if _, err := c.RevokeOwner(ctx, "U", ""); err != nil {
		t.Fatal(err)
	}
	if err := c.CommitCtx(ctx, "tok", []byte("U"), exp); err != nil {
		t.Fatalf("Commit of a revoked session: %v, want nil", err)
	}
	if st := c.Stats(); st.Commits != 2 || st.Writes != 1 {
		t.Fatalf("after a refused Commit: %d commits, %d writes; want 2 and 1", st.Commits, st.Writes)
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
