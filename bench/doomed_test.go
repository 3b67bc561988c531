package main

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2/memstore"
)

// doomedEnv is a Delete cell's environment over an in-memory store.
func doomedEnv(t *testing.T) (*cellEnv, *memstore.MemStore) {
	t.Helper()
	st := memstore.NewWithCleanupInterval(0)
	e := &cellEnv{im: &impl{name: "mem", store: st}, tok: makeTokens(1, 100_000), cur: &cursor{},
		logins: loginBlobs(300, 3), expiry: time.Now().Add(time.Hour)}
	e.cur.committed.Store(500) // fresh tokens taken by an earlier cell
	if err := workloadNamed("Delete").prepare(e); err != nil {
		t.Fatal(err)
	}
	return e, st
}

// deleteAll runs n Deletes, checking that each one's session existed.
func deleteAll(t *testing.T, e *cellEnv, st *memstore.MemStore, n int) {
	t.Helper()
	wl := workloadNamed("Delete")
	for range n {
		tok := e.tok.fresh[e.doomed.next.Load()%int64(len(e.tok.fresh))]
		if _, found, err := st.Find(tok); err != nil || !found {
			t.Fatalf("session %d to delete: found %v, %v; want it written by the refill", e.doomed.next.Load(), found, err)
		}
		if err := wl.op(e, nil); err != nil {
			t.Fatal(err)
		}
		if _, found, _ := st.Find(tok); found {
			t.Fatalf("session %d still there after its Delete", e.doomed.next.Load()-1)
		}
	}
}

func TestDeleteWorkloadRefillsWhatTheNextRoundNeeds(t *testing.T) {
	e, st := doomedEnv(t)
	if err := refillDoomed(e, 0, 600*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if got := e.doomed.end - e.doomed.next.Load(); got != doomedFirst {
		t.Fatalf("first refill wrote %d sessions, want %d", got, doomedFirst)
	}
	if e.doomed.next.Load() != 500 || e.cur.committed.Load() != 500+doomedFirst {
		t.Fatalf("first refill took fresh tokens %d to %d, want 500 on", e.doomed.next.Load(), e.cur.committed.Load())
	}

	// 2000 Deletes in a 600 ms loop: the next 300 ms need 1000, so the
	// refill leaves 1000 + 3 × 1000 and writes what the 8000 left lack.
	deleteAll(t, e, st, 2000)
	if err := refillDoomed(e, 600*time.Millisecond, 300*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if got := e.doomed.end - e.doomed.next.Load(); got != 8000 {
		t.Fatalf("after 2000 of %d: %d left, want 8000 (already more than 4000 needed)", doomedFirst, got)
	}
	deleteAll(t, e, st, 7000)
	if err := refillDoomed(e, 300*time.Millisecond, 300*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if got := e.doomed.end - e.doomed.next.Load(); got != 1000+3*7000 {
		t.Fatalf("after 7000 in a round: %d left, want %d", got, 1000+3*7000)
	}
	deleteAll(t, e, st, 1000) // the newly written ones follow the old ones
}

func TestDeleteWorkloadRunningOutFailsTheOperation(t *testing.T) {
	e, st := doomedEnv(t)
	if err := refillDoomed(e, 0, time.Second); err != nil {
		t.Fatal(err)
	}
	deleteAll(t, e, st, doomedFirst)
	wl := workloadNamed("Delete")
	for range 3 {
		if err := wl.op(e, nil); !errors.Is(err, errDoomedRanOut) {
			t.Fatalf("Delete past the written sessions: %v, want errDoomedRanOut", err)
		}
	}
	// The failed ones count as nothing deleted: the next refill starts
	// where the sessions ended and writes them again.
	if err := refillDoomed(e, time.Second, time.Second); err != nil {
		t.Fatal(err)
	}
	if e.doomed.next.Load() != 500+doomedFirst {
		t.Fatalf("next = %d after running out, want %d", e.doomed.next.Load(), 500+doomedFirst)
	}
	deleteAll(t, e, st, 1000)
}

func TestDeleteWorkloadRefusesTokensTakenByAnotherCell(t *testing.T) {
	e, _ := doomedEnv(t)
	if err := refillDoomed(e, 0, time.Second); err != nil {
		t.Fatal(err)
	}
	e.cur.committed.Add(1) // a Commit new between two rounds
	e.doomed.next.Store(e.doomed.end)
	err := refillDoomed(e, time.Second, time.Second)
	if err == nil || !strings.Contains(err.Error(), "something else took fresh tokens") {
		t.Fatalf("refill after another cell took a token: %v, want it refused", err)
	}
}
