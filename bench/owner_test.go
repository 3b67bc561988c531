package main

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"
)

func TestListGrowthPairsTheRounds(t *testing.T) {
	// The machine slowed down every other round, for both sizes at once:
	// the ratio of the medians (200 / 175 = 1.14x) mixes the drift in,
	// the paired rounds (2, 1, 2, 1, ...) do not.
	small := ownerResult{rows: 10, listRates: []float64{100, 300, 100, 300, 100, 300}}
	big := ownerResult{rows: 1000, listRates: []float64{50, 300, 50, 300, 50, 300}}
	got := listGrowth(small, big)
	if !strings.Contains(got, "costs 1.50x what it costs at 10 rows") || !strings.Contains(got, "median of 6 pairs") {
		t.Errorf("listGrowth = %q, want the median of the paired ratios, 1.50x over 6 pairs", got)
	}
	if !strings.Contains(got, "vary ±33%") {
		t.Errorf("listGrowth = %q, want half the pairs' interquartile range over their median (1 over 1.5: ±33%%)", got)
	}
}

func TestListGrowthWithoutRoundsUsesTheMedians(t *testing.T) {
	small := ownerResult{rows: 10, list: summary{opsPerSec: 300}}
	big := ownerResult{rows: 1000, list: summary{opsPerSec: 200}}
	if got, want := listGrowth(small, big), "listing at 1000 rows costs 1.50x what it costs at 10 rows."; got != want {
		t.Errorf("listGrowth = %q, want %q", got, want)
	}
}

func TestMeasureOwnerTakesTheSizesInTurn(t *testing.T) {
	cfg := ownerConfig{rows: []int{50, 500}, perOwner: 5, window: 240 * time.Millisecond, explainAt: 500}
	results, err := measureOwner(context.Background(), io.Discard, sqliteOwnerTarget, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 2 {
		t.Fatalf("%d results, want one per size", len(results))
	}
	for i, r := range results {
		if r.rows != cfg.rows[i] || r.backend != "SQLite" {
			t.Errorf("result %d is %s at %d rows, want SQLite at %d", i, r.backend, r.rows, cfg.rows[i])
		}
		if len(r.listRates) != ownerRounds {
			t.Errorf("%d rows: %d list rounds, want %d", r.rows, len(r.listRates), ownerRounds)
		}
		if r.list.failed+r.revoke.failed != 0 || r.list.ops == 0 || r.revoke.ops == 0 {
			t.Errorf("%d rows: list %+v, revoke %+v: want operations and no failure", r.rows, r.list, r.revoke)
		}
		if r.list.opsPerSec != median(r.listRates) {
			t.Errorf("%d rows: list ops/s %.0f, want the median round's %.0f", r.rows, r.list.opsPerSec, median(r.listRates))
		}
		if (r.plan != "") != (r.rows == cfg.explainAt) {
			t.Errorf("%d rows: plan %q, want one at %d rows only", r.rows, r.plan, cfg.explainAt)
		}
	}
	// The sizes took their list rounds in turn: both sizes' round r began
	// before either one's round r+1.
	a, b := results[0].listStarts, results[1].listStarts
	if len(a) != ownerRounds || len(b) != ownerRounds {
		t.Fatalf("%d and %d list round starts, want %d each", len(a), len(b), ownerRounds)
	}
	later := func(x, y time.Time) time.Time {
		if x.After(y) {
			return x
		}
		return y
	}
	for r := 0; r+1 < ownerRounds; r++ {
		if end := later(a[r], b[r]); !end.Before(a[r+1]) || !end.Before(b[r+1]) {
			t.Fatalf("list round %d of one size began after round %d of the other: not taken in turn", r, r+1)
		}
	}
	// Every revoke measured revoked four sessions of an owner none had
	// revoked before (a revoke that found fewer fails), and the small
	// table ran out of owners.
	if small := results[0]; small.revoke.ops != 50/cfg.perOwner {
		t.Errorf("%d revokes on 50 rows (%d owners), want one per owner", small.revoke.ops, 50/cfg.perOwner)
	}
	if !strings.Contains(results[1].plan, "sessions_owner_idx") {
		t.Errorf("plan %q does not use the owner index", results[1].plan)
	}
}
