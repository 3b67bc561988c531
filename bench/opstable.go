package main

import (
	"fmt"
	"strings"
	"time"
)

func us(d time.Duration) string { return fmt.Sprintf("%.0f", float64(d)/float64(time.Microsecond)) }

// opsTable renders the ops results: one table per backend, one row per
// workload, blob size, callers and table size.
func opsTable(results []cellResult, cfg opsConfig) string {
	var b strings.Builder
	b.WriteString("## Store operations against scs's own stores and the raw driver\n\n")
	fmt.Fprintf(&b, "Each cell runs %v in %d rounds taken in turn with the other stores (after %v of warm-up), in closed loop. ops/s is the median of the rounds, all callers together; "+
		"p99 in µs; allocs are heap allocations per operation, harness included (the same for every store). "+
		"\"vs scs\" and \"vs floor\" are our ops/s divided by theirs, round by round (each pair of rounds ran moments apart), the median of those ratios; the goals below are computed the same way.\n", cfg.cell, cfg.rounds, cfg.warmup)
	for _, backend := range []string{"SQLite", "PostgreSQL"} {
		var names []string
		seen := map[string]bool{}
		for _, r := range results {
			if r.backend == backend && !seen[r.impl] {
				seen[r.impl] = true
				names = append(names, r.impl)
			}
		}
		if len(names) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n### %s\n\n| workload | blob | callers | rows |", backend)
		for _, n := range names {
			fmt.Fprintf(&b, " %s ops/s (p99, allocs) |", n)
		}
		b.WriteString(" vs scs | vs floor |\n|---|---:|---:|---:|")
		for range names {
			b.WriteString("---:|")
		}
		b.WriteString("---:|---:|\n")
		for _, row := range rowsOf(results, backend) {
			fmt.Fprintf(&b, "| %s | %s | %d | %d |", row[0].workload, size(row[0].size), row[0].callers, row[0].rows)
			byName := map[string]cellResult{}
			for _, r := range row {
				byName[r.impl] = r
			}
			for _, n := range names {
				r, ok := byName[n]
				if !ok {
					b.WriteString(" - |")
					continue
				}
				cell := fmt.Sprintf(" %.0f (%s, %.0f)", r.opsPerSec, us(r.p99), r.allocs)
				if r.failed > 0 {
					cell += fmt.Sprintf(" **%d failed**", r.failed)
				}
				b.WriteString(cell + " |")
			}
			ours, scs, floor := pick(row)
			fmt.Fprintf(&b, " %s | %s |\n", ratio(ours, scs), ratio(ours, floor))
		}
	}
	return b.String()
}

// rowsOf groups one backend's results by workload, size, callers and rows,
// in the order they ran.
func rowsOf(results []cellResult, backend string) [][]cellResult {
	var rows [][]cellResult
	index := map[string]int{}
	for _, r := range results {
		if r.backend != backend {
			continue
		}
		key := fmt.Sprint(r.workload, r.size, r.callers, r.rows)
		i, ok := index[key]
		if !ok {
			i = len(rows)
			index[key] = i
			rows = append(rows, nil)
		}
		rows[i] = append(rows[i], r)
	}
	return rows
}

// pick returns our default store's cell, the first scs store's and the floor's.
func pick(row []cellResult) (ours, scs, floor *cellResult) {
	for i := range row {
		r := &row[i]
		switch {
		case r.ours && r.impl == "sessionsql" && ours == nil:
			ours = r
		case r.floor && floor == nil:
			floor = r
		case !r.ours && !r.floor && scs == nil:
			scs = r
		}
	}
	return
}

func ratio(a, b *cellResult) string {
	if a == nil || b == nil || b.opsPerSec == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2fx", speedup(*a, *b))
}

func size(n int) string {
	if n >= 1<<10 {
		return fmt.Sprintf("%.0f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
