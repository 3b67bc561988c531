package main

import (
	"strings"
	"testing"
	"time"
)

func TestAsyncDetail(t *testing.T) {
	// Rounds paired as the bench pairs them: durable at 388 µs and 390
	// µs a commit, async at 143 µs and 145 µs; the ratio is their median.
	async := cellResult{callers: 1, opsPerSec: 1e6 / 143.0, rates: []float64{1e6 / 143, 1e6 / 145}, cpuBusy: 0.52}
	durable := cellResult{callers: 1, opsPerSec: 1e6 / 388.0, rates: []float64{1e6 / 388, 1e6 / 390}, cpuBusy: 0.48}
	got := asyncDetail(async, durable, hostFacts{walFlush: []time.Duration{245 * time.Microsecond, 250 * time.Microsecond}})
	for _, want := range []string{
		"asynchronous commit took 143 µs and a durable one 2.70 times that",
		"the flush cost 243 µs, and 3x needs it to cost at least 286 µs.",
		"a block of WAL in 245 µs to 250 µs (median of 200,",
		"CPU busy: 48% durable, 52% async.",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("asyncDetail = %q, want it to say %q", got, want)
		}
	}

	one := asyncDetail(async, durable, hostFacts{walFlush: []time.Duration{245 * time.Microsecond, 245 * time.Microsecond}})
	if !strings.Contains(one, "WAL in 245 µs (") {
		t.Errorf("two equal probes: %q, want the figure once", one)
	}
	if none := asyncDetail(async, durable, hostFacts{}); strings.Contains(none, "block of WAL") {
		t.Errorf("no probe: %q, want no flush figure", none)
	}

	// Async slower than durable (a broken round, say): no negative wait.
	if slow := asyncDetail(durable, async, hostFacts{}); strings.Contains(slow, "waiting for the flush") {
		t.Errorf("ratio below 1: %q, want no flush wait", slow)
	}

	// With many callers commits overlap, so there is no sum to take apart,
	// but the CPU is shown; and nothing is said that was not measured.
	async.callers, durable.callers = 16, 16
	host := hostFacts{walFlush: []time.Duration{time.Millisecond}}
	if many := asyncDetail(async, durable, host); many != " CPU busy: 48% durable, 52% async." {
		t.Errorf("16 callers: %q, want the CPU only", many)
	}
	async.cpuBusy = -1
	if many := asyncDetail(async, durable, host); many != "" {
		t.Errorf("16 callers, CPU unknown: %q, want nothing", many)
	}
}

func TestOwnerWrites(t *testing.T) {
	plain := cellResult{wroteBytes: 11.2 * 1024, wroteCalls: 5}
	owner := cellResult{wroteBytes: 14.2 * 1024, wroteCalls: 6.4}
	want := " The process wrote 14.2 KiB in 6.4 write calls per Commit with it, 11.2 KiB in 5.0 without (WAL frames and checkpoints)."
	if got := ownerWrites("SQLite", plain, owner); got != want {
		t.Errorf("ownerWrites = %q, want %q", got, want)
	}
	if got := ownerWrites("PostgreSQL", plain, owner); got != "" {
		t.Errorf("PostgreSQL: %q, want nothing (its writes are the server's)", got)
	}
	plain.wroteBytes = -1
	if got := ownerWrites("SQLite", plain, owner); got != "" {
		t.Errorf("one side unknown: %q, want nothing", got)
	}
}

func TestPostgresGoalsCoverCommitNew(t *testing.T) {
	cell := func(wl, impl string, rate, allocs float64) cellResult {
		return cellResult{backend: "PostgreSQL", workload: wl, impl: impl, size: 349, callers: 16, rows: 10_000,
			opsPerSec: rate, rates: []float64{rate, rate}, allocs: allocs, cpuBusy: -1, writes: -1}
	}
	var results []cellResult
	for _, wl := range []string{"Find hit", "Commit new"} {
		results = append(results, cell(wl, "sessionsql", 1200, 4), cell(wl, "scs pgxstore", 1000, 9), cell(wl, "raw pgx floor", 1100, 9))
	}
	got := opsGoals(results, opsConfig{rows: 10_000, callers: []int{16}}, hostFacts{})
	want := "PostgreSQL Commit new, 16 callers: 1.20x scs pgxstore (goal ≥ 1; rounds vary ±0%), 1.09x the raw floor (goal ≥ 0.90), 4.0 vs 9.0 allocs/op (goal: no more than pgxstore): met."
	if !strings.Contains(got, want) {
		t.Errorf("goals:\n%s\nwant the line %q", got, want)
	}
}
