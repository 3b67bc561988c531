package main

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// resultSet finds cells by what they measured.
type resultSet []cellResult

func (rs resultSet) get(backend, workload, impl string, size, callers, rows int) (cellResult, bool) {
	for _, r := range rs {
		if r.backend == backend && r.workload == workload && r.impl == impl &&
			r.callers == callers && r.rows == rows && (size == 0 || r.size == size) {
			return r, true
		}
	}
	return cellResult{}, false
}

func perOp(r cellResult) float64 {
	if r.ops == 0 || r.writes < 0 {
		return -1
	}
	return float64(r.writes) / float64(r.ops)
}

// opsGoals checks the results against the goals of the performance work;
// host is what the run measured of the machine itself.
func opsGoals(results []cellResult, cfg opsConfig, host hostFacts) string {
	rs := resultSet(results)
	small := 0
	for _, r := range results {
		if r.workload == "Find hit" && r.rows == cfg.rows {
			if small == 0 || r.size < small {
				small = r.size
			}
		}
	}
	var lines []string
	add := func(format string, args ...any) { lines = append(lines, fmt.Sprintf(format, args...)) }
	const many = 16

	for _, wl := range []string{"Find hit", "Commit update", "Commit new"} {
		for _, callers := range cfg.callers {
			ours, ok1 := rs.get("PostgreSQL", wl, "sessionsql", small, callers, cfg.rows)
			scs, ok2 := rs.get("PostgreSQL", wl, "scs pgxstore", small, callers, cfg.rows)
			floor, ok3 := rs.get("PostgreSQL", wl, "raw pgx floor", small, callers, cfg.rows)
			if !ok1 || !ok2 || !ok3 {
				continue
			}
			vsScs, vsFloor := speedup(ours, scs), speedup(ours, floor)
			noise := max(ours.spread, scs.spread) / 2
			v := verdict(vsScs >= 1 && vsFloor >= 0.9 && ours.allocs <= scs.allocs)
			if vsScs < 1 && vsScs >= 1-noise && vsFloor >= 0.9 && ours.allocs <= scs.allocs {
				v = "met within the noise"
			}
			add("PostgreSQL %s, %d callers: %.2fx scs pgxstore (goal ≥ 1; rounds vary ±%.0f%%), %.2fx the raw floor (goal ≥ 0.90), %.1f vs %.1f allocs/op (goal: no more than pgxstore): %s.",
				wl, callers, vsScs, 100*noise, vsFloor, ours.allocs, scs.allocs, v)
		}
	}
	for _, c := range []struct {
		wl   string
		goal float64
	}{{"Find hit", 1.5}, {"Commit update", 2}, {"Commit new", 2}} {
		ours, ok1 := rs.get("SQLite", c.wl, "sessionsql", small, many, cfg.rows)
		scs, ok2 := rs.get("SQLite", c.wl, "scs sqlite3store", small, many, cfg.rows)
		if ok1 && ok2 {
			r := speedup(ours, scs)
			add("SQLite %s, %d callers: %.2fx scs sqlite3store on the same driver (goal ≥ %.1f): %s.", c.wl, many, r, c.goal, verdict(r >= c.goal))
		}
	}
	if ours, ok := rs.get("SQLite", "Commit update", "sessionsql", small, 32, cfg.rows); ok {
		msg := fmt.Sprintf("SQLite, 32 goroutines committing at once: %d failed (goal 0): %s", ours.failed, verdict(ours.failed == 0))
		if scs, ok := rs.get("SQLite", "Commit update", "scs sqlite3store", small, 32, cfg.rows); ok {
			msg += fmt.Sprintf(" (scs sqlite3store: %d failed)", scs.failed)
		}
		add("%s.", msg)
	}
	for _, backend := range []string{"SQLite", "PostgreSQL"} {
		for _, callers := range cfg.callers {
			plain, ok1 := rs.get(backend, "IdleTimeout request", "sessionsql", small, callers, cfg.rows)
			touch, ok2 := rs.get(backend, "IdleTimeout request", "sessionsql touch 1m", small, callers, cfg.rows)
			if !ok1 || !ok2 {
				continue
			}
			wp, wt := perOp(plain), perOp(touch)
			fewer := "∞"
			if wt > 0 {
				fewer = fmt.Sprintf("%.1f", wp/wt)
			}
			speed := speedup(touch, plain)
			add("%s IdleTimeout requests, %d callers: touch threshold 1m writes %.3f vs %.3f times per request (%sx fewer, goal ≥ 5) at %.2fx the throughput (goal ≥ 3): %s.",
				backend, callers, wt, wp, fewer, speed, verdict((wt == 0 || wp/wt >= 5) && speed >= 3))
		}
	}
	for _, wl := range []string{"Commit update", "Commit new"} {
		for _, callers := range cfg.callers {
			durable, ok1 := rs.get("PostgreSQL", wl, "sessionsql", small, callers, cfg.rows)
			async, ok2 := rs.get("PostgreSQL", wl, "sessionsql async", small, callers, cfg.rows)
			if ok1 && ok2 {
				r := speedup(async, durable)
				add("PostgreSQL %s, %d callers: AsyncCommit %.2fx durable (goal ≥ 3): %s.%s", wl, callers, r, verdict(r >= 3), asyncDetail(async, durable, host))
			}
		}
	}
	for _, backend := range []string{"SQLite", "PostgreSQL"} {
		for _, wl := range []string{"Commit update", "Commit new"} {
			for _, callers := range cfg.callers {
				plain, ok1 := rs.get(backend, wl, "sessionsql", small, callers, cfg.rows)
				owner, ok2 := rs.get(backend, wl, "sessionsql owner", small, callers, cfg.rows)
				if ok1 && ok2 {
					cost := speedup(plain, owner)
					noise := max(plain.spread, owner.spread) / 2
					v := verdict(cost <= 1.15)
					if cost > 1.15 && cost <= 1.15+noise {
						v = "met within the noise"
					}
					add("%s %s, %d callers: with the owner index a Commit costs %.2fx one without (goal ≤ 1.15; rounds vary ±%.0f%%): %s.%s",
						backend, wl, callers, cost, 100*noise, v, ownerWrites(backend, plain, owner))
				}
			}
		}
	}
	if cfg.bigRows > 0 {
		for _, backend := range []string{"SQLite", "PostgreSQL"} {
			floorName := map[string]string{"SQLite": "raw modernc floor", "PostgreSQL": "raw pgx floor"}[backend]
			for _, callers := range cfg.callers {
				a, ok1 := rs.get(backend, sideBySideWorkload, "sessionsql", small, callers, cfg.rows)
				b, ok2 := rs.get(backend, sideBySideWorkload, "sessionsql", small, callers, cfg.bigRows)
				fa, ok3 := rs.get(backend, sideBySideWorkload, floorName, small, callers, cfg.rows)
				fb, ok4 := rs.get(backend, sideBySideWorkload, floorName, small, callers, cfg.bigRows)
				if ok1 && ok2 && ok3 && ok4 {
					r, f := speedup(a, b), speedup(fa, fb)
					add("%s Find hit, %d callers, tables side by side: %d rows costs %.2fx what %d rows costs (goal ≤ 1.5; the raw driver's own growth: %.2fx): %s.",
						backend, callers, cfg.bigRows, r, cfg.rows, f, verdict(r <= 1.5))
				}
			}
		}
	}
	lines = append(lines, baselineGoals(rs)...)
	return "\nGoals:\n\n- " + strings.Join(lines, "\n- ") + "\n"
}

// hostFacts are what a run measured of the machine rather than of a store.
type hostFacts struct {
	// walFlush is how long the disk took to flush a block of WAL
	// (measureFlush), before and after the cells ran; empty without
	// PostgreSQL.
	walFlush []time.Duration
}

// asyncDetail says what set an AsyncCommit ratio. With one caller, commits
// run one after the other, so a durable one takes an asynchronous one's
// time a plus its wait w for the WAL flush (and the wake-ups around it):
// the ratio r is (a+w)/a, so w is a(r-1), and 3x needs w of at least 2a.
// The disk's own flush time, measured apart from any commit, shows how
// much of w is the disk. With more callers, commits overlap and share
// flushes; the CPU the two modes keep busy then shows what holds them back.
func asyncDetail(async, durable cellResult, host hostFacts) string {
	var b strings.Builder
	if r := speedup(async, durable); async.callers == 1 && async.opsPerSec > 0 && r >= 1 && !math.IsInf(r, 0) {
		// a from the async rounds' median, the wait from the paired ratio
		// the goal line reports, so that the figures agree with it.
		a := time.Duration(float64(time.Second) / async.opsPerSec)
		fmt.Fprintf(&b, " An asynchronous commit took %s and a durable one %.2f times that: waiting for the flush cost %s, and 3x needs it to cost at least %s.",
			micros(a), r, micros(time.Duration(float64(a)*(r-1))), micros(2*a))
		if len(host.walFlush) > 0 {
			fmt.Fprintf(&b, " The disk flushed a block of WAL in %s (median of %d, before and after the cells).",
				spanOf(slices.Min(host.walFlush), slices.Max(host.walFlush)), flushProbes)
		}
	}
	if async.cpuBusy >= 0 && durable.cpuBusy >= 0 {
		fmt.Fprintf(&b, " CPU busy: %.0f%% durable, %.0f%% async.", 100*durable.cpuBusy, 100*async.cpuBusy)
	}
	return b.String()
}

// spanOf is "lo to hi" in microseconds, or one figure if they round the same.
func spanOf(lo, hi time.Duration) string {
	if a, b := micros(lo), micros(hi); a != b {
		return a + " to " + b
	}
	return micros(lo)
}

// micros is us (the tables' figure) with its unit, for prose.
func micros(d time.Duration) string { return us(d) + " µs" }

// ownerWrites is what the process wrote per Commit during the rounds of an
// embedded SQLite store with the owner index and without it: its WAL frames
// (the pages each transaction changed) and checkpoints, and any background
// checkpoint of the store whose round came just before.
func ownerWrites(backend string, plain, owner cellResult) string {
	if backend != "SQLite" || plain.wroteBytes < 0 || owner.wroteBytes < 0 {
		return ""
	}
	return fmt.Sprintf(" The process wrote %.1f KiB in %.1f write calls per Commit with it, %.1f KiB in %.1f without (WAL frames and checkpoints).",
		owner.wroteBytes/1024, owner.wroteCalls, plain.wroteBytes/1024, plain.wroteCalls)
}
