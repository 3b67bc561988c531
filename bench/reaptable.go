package main

import (
	"fmt"
	"strings"
	"time"
)

func ms(d time.Duration) string {
	return fmt.Sprintf("%.1f", float64(d)/float64(time.Millisecond))
}

// reapTable renders the reap results and checks them against the goals.
func reapTable(results []reapResult, cfg reapConfig) string {
	var b strings.Builder
	fmt.Fprintf(&b, "## Reaping a backlog of expired sessions under live traffic\n\n")
	fmt.Fprintf(&b, "Foreground: %d goroutines doing Find + Commit on %d live sessions at %d ops/s in total; "+
		"measured for %v before the reap and for the whole reap. Latencies in ms.\n\n",
		cfg.workers, cfg.live, cfg.rate, cfg.baseline)
	b.WriteString("| backend | method | expired rows | reap time | deleted | before p50 / p99 / max | during p50 / p99 / max | p99 during ÷ before | failed ops during | live Go heap (median) |\n")
	b.WriteString("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	for _, r := range results {
		reap := r.reap.Round(10 * time.Millisecond).String()
		if r.reapErr != nil {
			reap += " (error: " + r.reapErr.Error() + ")"
		}
		ratio := "-"
		if r.before.p99 > 0 {
			ratio = fmt.Sprintf("%.2fx", float64(r.during.p99)/float64(r.before.p99))
		}
		failed := fmt.Sprint(r.during.failed)
		if r.during.failed > 0 {
			failed += fmt.Sprintf(" (%s)", strings.TrimSpace(firstLine(r.during.firstErr)))
		}
		fmt.Fprintf(&b, "| %s | %s | %d | %s | %d | %s / %s / %s | %s / %s / %s | %s | %s | %.1f MiB |\n",
			r.backend, r.method, r.rows, reap, r.deleted,
			ms(r.before.p50), ms(r.before.p99), ms(r.before.max),
			ms(r.during.p50), ms(r.during.p99), ms(r.during.max),
			ratio, failed, float64(r.heap)/(1<<20))
	}
	b.WriteString("\nGoals:\n\n")
	for _, g := range reapGoals(results, cfg) {
		fmt.Fprintf(&b, "- %s\n", g)
	}
	return b.String()
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	return s
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}

func reapGoals(results []reapResult, cfg reapConfig) []string {
	find := func(backend, method string, rows int) (reapResult, bool) {
		for _, r := range results {
			if r.backend == backend && r.method == method && r.rows == rows {
				return r, true
			}
		}
		return reapResult{}, false
	}
	var goals []string
	for _, backend := range []string{"SQLite", "PostgreSQL"} {
		ours, ok := find(backend, "sessionsql Reaper", cfg.expired)
		if !ok {
			continue
		}
		goals = append(goals, fmt.Sprintf("%s: zero failed foreground operations during our reap (%d): %s.",
			backend, ours.during.failed, verdict(ours.during.failed == 0 && ours.reapErr == nil)))
		if backend == "SQLite" {
			goals = append(goals, fmt.Sprintf("SQLite: foreground max latency during our reap under 100 ms (%s ms): %s.",
				ms(ours.during.max), verdict(ours.during.max < 100*time.Millisecond)))
		} else if ours.before.p99 > 0 {
			r := float64(ours.during.p99) / float64(ours.before.p99)
			control := ""
			if c, ok := find(backend, methodControl, cfg.expired); ok && c.before.p99 > 0 {
				control = fmt.Sprintf("; with no cleanup at all the same two windows differ by %.2fx", float64(c.during.p99)/float64(c.before.p99))
			}
			goals = append(goals, fmt.Sprintf("PostgreSQL: foreground p99 during our reap within 2x of idle p99 (%.2fx%s): %s.",
				r, control, verdict(r <= 2)))
		}
		if small, ok := find(backend, "sessionsql Reaper", cfg.small); ok && small.heap > 0 {
			r := float64(ours.heap) / float64(small.heap)
			goals = append(goals, fmt.Sprintf("%s: memory flat in the backlog: live heap while reaping %d rows is %.2fx that for %d rows: %s.",
				backend, cfg.expired, r, cfg.small, verdict(r < 1.5)))
		}
	}
	return goals
}
