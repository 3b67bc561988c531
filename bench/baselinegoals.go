package main

import "fmt"

// baselineCosts are the goals of a change against the baseline (see
// baseline.sh): how much longer an operation of our store may take than
// the same operation of the baseline's.
var baselineCosts = map[string]float64{"Find hit": 1.05, "Commit update": 1.05, "Commit new": 1.05, "Delete": 1.2}

// baselineGoals are the goal lines of our store against the baseline, one
// for every cell of a goal's workload that the run measured both on, in
// the order the baseline's ran.
func baselineGoals(rs resultSet) []string {
	var lines []string
	for _, base := range rs {
		goal, ok := baselineCosts[base.workload]
		if base.impl != baselineName || !ok {
			continue
		}
		ours, ok := rs.get(base.backend, base.workload, "sessionsql", base.size, base.callers, base.rows)
		if !ok {
			continue
		}
		cost := speedup(base, ours)
		noise := max(ours.spread, base.spread) / 2
		v := verdict(cost <= goal)
		if cost > goal && cost <= goal+noise {
			v = "met within the noise"
		}
		lines = append(lines, fmt.Sprintf("%s %s, %s, %d callers: %.2fx the baseline's time per operation, p99 %s vs %s µs (goal ≤ %.2f; rounds vary ±%.0f%%): %s.",
			base.backend, base.workload, size(base.size), base.callers, cost, us(ours.p99), us(base.p99), goal, 100*noise, v))
	}
	return lines
}

// hasBaseline reports whether the build links a baseline in.
func hasBaseline() bool { return baseline.postgres != nil || baseline.sqlite != nil }
