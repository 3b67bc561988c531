package sessionsql_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"
)

// TestSCSIdleTimeoutTouchThreshold: with IdleTimeout, scs re-commits the
// session on every request. With a touch threshold the store writes only
// when something changed, or when the expiry has moved a full threshold.
func TestSCSIdleTimeoutTouchThreshold(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		a := newAppWith(t, b, options{touch: time.Minute}, func(sm *scs.SessionManager) {
			sm.IdleTimeout = 30 * time.Minute
			sm.Lifetime = 24 * time.Hour
		})
		c := a.client()
		for i := range 12 { // a multi-key session: gob's random map order makes its bytes differ
			c.get(fmt.Sprintf("/put?v=item%d", i))
		}
		before := a.store.Stats()
		for range 20 {
			if got := c.get("/get"); got != "item11" {
				t.Fatalf("value = %q", got)
			}
		}
		after := a.store.Stats()
		if w := after.Writes - before.Writes; w != 0 {
			t.Fatalf("20 unchanged IdleTimeout requests wrote %d times, want 0", w)
		}
		if s := after.TouchSkips - before.TouchSkips; s != 20 {
			t.Fatalf("touch skips = %d, want 20", s)
		}
		c.get("/put?v=changed")
		if w := a.store.Stats().Writes - after.Writes; w != 1 {
			t.Fatalf("a request that changed the session wrote %d times, want 1", w)
		}
		if got := c.get("/get"); got != "changed" {
			t.Fatalf("value after the change = %q, want changed", got)
		}
	})
}

// TestTouchThresholdBounds drives Commit directly: a re-encoded, unchanged
// multi-key session is skipped while its expiry moves less than the
// threshold, and written once it moves a full threshold and once its
// values change; after a Delete it goes to the database, which refuses it.
func TestTouchThresholdBounds(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		a := newAppWith(t, b, options{touch: time.Minute}, nil)
		ctx := context.Background()
		deadline := time.Now().Add(24 * time.Hour).Truncate(time.Millisecond)
		values := map[string]any{}
		for i := range 12 {
			values[fmt.Sprint("k", i)] = i
		}
		enc := func(v map[string]any) []byte {
			data, err := scs.GobCodec{}.Encode(deadline, v)
			if err != nil {
				t.Fatal(err)
			}
			return data
		}
		stored := time.Now().Add(30 * time.Minute).Truncate(time.Millisecond)
		if err := a.store.CommitCtx(ctx, "tok", enc(values), stored); err != nil {
			t.Fatal(err)
		}
		writes := func() int64 { return a.store.Stats().Writes }
		find := func() {
			if _, found, err := a.store.FindCtx(ctx, "tok"); err != nil || !found {
				t.Fatalf("Find: %v %v", found, err)
			}
		}
		commit := func(v map[string]any, expiry time.Time) int64 {
			w := writes()
			if err := a.store.CommitCtx(ctx, "tok", enc(v), expiry); err != nil {
				t.Fatal(err)
			}
			return writes() - w
		}
		find()
		if n := commit(values, stored.Add(59*time.Second)); n != 0 {
			t.Fatal("an unchanged session 59s ahead was written; the threshold is a minute")
		}
		if n := commit(values, stored.Add(time.Minute)); n != 1 {
			t.Fatal("an unchanged session a full minute ahead was not written")
		}
		find() // the next request reads the new expiry
		changed := map[string]any{"k0": "new"}
		if n := commit(changed, stored.Add(time.Minute+time.Second)); n != 1 {
			t.Fatal("a changed session was not written")
		}
		find()
		if err := a.store.DeleteCtx(ctx, "tok"); err != nil {
			t.Fatal(err)
		}
		// The Commit after a Delete reaches the database, which refuses it:
		// the threshold does not hide it (as a skip counted as a write).
		refused, skips := a.store.Stats().Refused, a.store.Stats().TouchSkips
		if n := commit(changed, stored.Add(time.Minute+2*time.Second)); n != 0 {
			t.Fatal("a Commit after Delete wrote the deleted session back")
		}
		if st := a.store.Stats(); st.Refused != refused+1 || st.TouchSkips != skips {
			t.Fatalf("a Commit after Delete: %d refused, %d skipped; want 1 and 0", st.Refused-refused, st.TouchSkips-skips)
		}
	})
}
