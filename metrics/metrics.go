// Package metrics exposes the numbers of sessionsql stores and their
// Reapers in the Prometheus text format, using only the standard library:
// an app that does not import this package builds none of it, and one that
// does needs no Prometheus client.
//
//	http.Handle("/metrics", metrics.Handler(metrics.Source{Name: "sessions", Store: st}))
//
// Metrics, each labelled with the source's name as store="...":
//
//	sessionsql_operations_total{op}                 finds, find hits, commits, writes, commits refused (of
//	                                                sessions deleted lately), touch skips, deletes, and those
//	                                                that ran together with others (grouped)
//	sessionsql_errors_total                         operations that failed with a system error
//	sessionsql_operation_duration_seconds{op}       histogram of Find, Commit and Delete
//	sessionsql_reaper_runs_total                    cleanup runs finished
//	sessionsql_reaper_failures_total                runs that ended with an error
//	sessionsql_reaper_deleted_total                 expired rows deleted (sessions, and deleted
//	                                                sessions' tombstones past their time)
//	sessionsql_reaper_last_run_timestamp_seconds    when the last run started (0: none yet)
//	sessionsql_reaper_last_run_duration_seconds     how long it took
//	sessionsql_reaper_last_run_deleted              rows it deleted
package metrics

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/sessionsql/sessionsql"
)

// Source is one store to report on: its operations and its Reaper's runs.
type Source struct {
	Name  string            // the store label's value, e.g. "sessions"
	Store *sessionsql.Store // from a backend's constructor
}

// Handler serves the sources' metrics in the Prometheus text format
// (version 0.0.4) on every request.
func Handler(sources ...Source) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		_ = Write(w, sources...)
	})
}

// Write writes the sources' metrics in the Prometheus text format.
func Write(w io.Writer, sources ...Source) error {
	b := bufio.NewWriter(w)
	stats := make([]sessionsql.Stats, len(sources))
	reapers := make([]sessionsql.ReaperStats, len(sources))
	for i, s := range sources {
		stats[i] = s.Store.Stats()
		reapers[i] = s.Store.Reaper().Stats()
	}
	family(b, "sessionsql_operations_total", "counter", "Store operations, by kind.")
	for i, s := range sources {
		st := stats[i]
		for _, op := range []struct {
			name string
			n    int64
		}{{"find", st.Finds}, {"find_hit", st.FindHits}, {"commit", st.Commits}, {"write", st.Writes}, {"refused", st.Refused}, {"touch_skip", st.TouchSkips}, {"delete", st.Deletes}, {"grouped", st.Grouped}} {
			sample(b, "sessionsql_operations_total", labels(s.Name, "op", op.name), float64(op.n))
		}
	}
	family(b, "sessionsql_errors_total", "counter", "Store operations that failed with a system error.")
	for i, s := range sources {
		sample(b, "sessionsql_errors_total", labels(s.Name), float64(stats[i].Errors))
	}
	family(b, "sessionsql_operation_duration_seconds", "histogram", "How long Find, Commit and Delete took, from call to return.")
	for i, s := range sources {
		for _, op := range []struct {
			name string
			l    sessionsql.Latency
		}{{"find", stats[i].FindLatency}, {"commit", stats[i].CommitLatency}, {"delete", stats[i].DeleteLatency}} {
			histogram(b, "sessionsql_operation_duration_seconds", s.Name, op.name, op.l)
		}
	}
	reaper := []struct {
		name, typ, help string
		value           func(sessionsql.ReaperStats) float64
	}{
		{"sessionsql_reaper_runs_total", "counter", "Cleanup runs finished, skipped and failed ones included.", func(r sessionsql.ReaperStats) float64 { return float64(r.Runs) }},
		{"sessionsql_reaper_failures_total", "counter", "Cleanup runs that ended with an error.", func(r sessionsql.ReaperStats) float64 { return float64(r.Failures) }},
		{"sessionsql_reaper_deleted_total", "counter", "Expired sessions deleted by cleanup runs.", func(r sessionsql.ReaperStats) float64 { return float64(r.TotalDeleted) }},
		{"sessionsql_reaper_last_run_timestamp_seconds", "gauge", "When the last cleanup run started, in Unix seconds; 0 before the first.", func(r sessionsql.ReaperStats) float64 {
			if r.Last.Started.IsZero() {
				return 0
			}
			return float64(r.Last.Started.UnixNano()) / 1e9
		}},
		{"sessionsql_reaper_last_run_duration_seconds", "gauge", "How long the last cleanup run took.", func(r sessionsql.ReaperStats) float64 { return r.Last.Duration.Seconds() }},
		{"sessionsql_reaper_last_run_deleted", "gauge", "Expired sessions the last cleanup run deleted.", func(r sessionsql.ReaperStats) float64 { return float64(r.Last.Deleted) }},
	}
	for _, m := range reaper {
		family(b, m.name, m.typ, m.help)
		for i, s := range sources {
			sample(b, m.name, labels(s.Name), m.value(reapers[i]))
		}
	}
	return b.Flush()
}

func family(w *bufio.Writer, name, typ, help string) {
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, typ)
}

func sample(w *bufio.Writer, name, labels string, v float64) {
	fmt.Fprintf(w, "%s{%s} %s\n", name, labels, strconv.FormatFloat(v, 'g', -1, 64))
}

func histogram(w *bufio.Writer, name, source, op string, l sessionsql.Latency) {
	var cumulative int64
	for i, bound := range sessionsql.LatencyBounds {
		cumulative += l.Buckets[i]
		sample(w, name+"_bucket", labels(source, "op", op, "le", strconv.FormatFloat(bound.Seconds(), 'g', -1, 64)), float64(cumulative))
	}
	sample(w, name+"_bucket", labels(source, "op", op, "le", "+Inf"), float64(l.Count))
	sample(w, name+"_sum", labels(source, "op", op), l.Sum.Seconds())
	sample(w, name+"_count", labels(source, "op", op), float64(l.Count))
}

// labels renders store="source" and the given name, value pairs, escaped
// as the text format asks.
func labels(source string, pairs ...string) string {
	var b strings.Builder
	b.WriteString(`store="` + escape(source) + `"`)
	for i := 0; i+1 < len(pairs); i += 2 {
		b.WriteString(`,` + pairs[i] + `="` + escape(pairs[i+1]) + `"`)
	}
	return b.String()
}

func escape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}
