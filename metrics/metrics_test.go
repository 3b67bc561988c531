package metrics_test

import (
	"bufio"
	"context"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sessionsql/sessionsql"
	"github.com/sessionsql/sessionsql/metrics"
	"github.com/sessionsql/sessionsql/sqlitestore"
	"github.com/sessionsql/sessionsql/store/storetest"
)

// scrape returns the samples of a scrape, name{labels} -> value, after
// checking that every sample belongs to a family announced with HELP and
// TYPE.
func scrape(t *testing.T, text string) map[string]float64 {
	t.Helper()
	samples := map[string]float64{}
	typed := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := sc.Text()
		if name, ok := strings.CutPrefix(line, "# TYPE "); ok {
			typed[strings.Fields(name)[0]] = true
			continue
		}
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		key, value, ok := strings.Cut(line, " ")
		if !ok {
			t.Fatalf("malformed sample %q", line)
		}
		v, err := strconv.ParseFloat(value, 64)
		if err != nil {
			t.Fatalf("sample %q: %v", line, err)
		}
		name, _, _ := strings.Cut(key, "{")
		family := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(name, "_bucket"), "_sum"), "_count")
		if !typed[name] && !typed[family] {
			t.Fatalf("sample %q has no TYPE line", line)
		}
		samples[key] = v
	}
	return samples
}

func TestMetrics(t *testing.T) {
	clock := storetest.NewClock(time.Now())
	st, err := sqlitestore.Open(filepath.Join(t.TempDir(), "s.db"), sqlitestore.Config{Config: sessionsql.Config{CleanupInterval: -1, Now: clock.Now}})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, tok := range []string{"a", "b", "c"} {
		if err := st.Commit(tok, []byte("x"), clock.Now().Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	st.Find("a")
	st.Find("missing")
	st.Delete("c")
	if err := st.Commit("c", []byte("x"), clock.Now().Add(time.Minute)); err != nil { // a request of c's, ending after the logout
		t.Fatal(err)
	}
	clock.Advance(time.Hour) // a and b expire, and c's tombstone passes its time
	if _, err := st.Reaper().RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}

	rec := httptest.NewRecorder()
	metrics.Handler(metrics.Source{Name: "web", Store: st}).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Fatalf("Content-Type %q", ct)
	}
	s := scrape(t, rec.Body.String())
	for key, want := range map[string]float64{
		`sessionsql_operations_total{store="web",op="find"}`:                              2,
		`sessionsql_operations_total{store="web",op="find_hit"}`:                          1,
		`sessionsql_operations_total{store="web",op="commit"}`:                            4,
		`sessionsql_operations_total{store="web",op="write"}`:                             3,
		`sessionsql_operations_total{store="web",op="refused"}`:                           1,
		`sessionsql_operations_total{store="web",op="delete"}`:                            1,
		`sessionsql_operations_total{store="web",op="grouped"}`:                           0, // one at a time
		`sessionsql_errors_total{store="web"}`:                                            0,
		`sessionsql_operation_duration_seconds_count{store="web",op="commit"}`:            4,
		`sessionsql_operation_duration_seconds_bucket{store="web",op="commit",le="+Inf"}`: 4,
		`sessionsql_reaper_runs_total{store="web"}`:                                       1,
		`sessionsql_reaper_deleted_total{store="web"}`:                                    3,
		`sessionsql_reaper_last_run_deleted{store="web"}`:                                 3,
	} {
		if got, ok := s[key]; !ok || got != want {
			t.Errorf("%s = %v (present %v), want %v", key, got, ok, want)
		}
	}
	if s[`sessionsql_reaper_last_run_timestamp_seconds{store="web"}`] <= 0 {
		t.Error("no last run timestamp")
	}
	// Buckets are cumulative and end at the count.
	prev := 0.0
	for _, le := range []string{"0.0001", "0.00025", "0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "1", "+Inf"} {
		v, ok := s[`sessionsql_operation_duration_seconds_bucket{store="web",op="find",le="`+le+`"}`]
		if !ok || v < prev {
			t.Fatalf("find bucket le=%s = %v (present %v), after %v", le, v, ok, prev)
		}
		prev = v
	}
	if prev != 2 {
		t.Fatalf("find +Inf bucket = %v, want 2", prev)
	}
}
