package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// soakDuration is how long TestSoak runs: 60 s, or SESSIONSQL_SOAK_DURATION.
func soakDuration(t *testing.T) time.Duration {
	if v := os.Getenv("SESSIONSQL_SOAK_DURATION"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("SESSIONSQL_SOAK_DURATION: %v", err)
		}
		return d
	}
	return 60 * time.Second
}

// TestSoak runs the app on SQLite under 64 concurrent clients on loopback,
// each its own user, logging in, adding an item, reading it back and
// logging out, over and over. No request may fail, no client may ever see
// another's account or items, the heap and the open file descriptors must
// be as flat at the end as at the start, and the database's descriptors
// (pooled connections, opened as bursts need them) within what the pools
// can open.
func TestSoak(t *testing.T) {
	const clients = 64
	duration := soakDuration(t)
	db := backendDSN["sqlite"](t)
	a := startApp(t, db)
	dbFile := descriptorPath(db)
	transport := &http.Transport{MaxIdleConnsPerHost: clients}
	defer transport.CloseIdleConnections()
	for i := range clients { // the accounts
		b := a.browser()
		if r := b.post("/signup", url.Values{"email": {soakEmail(i)}, "password": {"soak-password"}}); r.url != "/profile" {
			t.Fatalf("sign-up %d: %s %d", i, r.url, r.status)
		}
	}

	var requests, failures atomic.Int64
	var firstFailure atomic.Value
	fail := func(format string, args ...any) {
		failures.Add(1)
		firstFailure.CompareAndSwap(nil, fmt.Sprintf(format, args...))
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := range clients {
		wg.Go(func() {
			jar, _ := cookiejar.New(nil)
			c := &http.Client{Jar: jar, Transport: transport, Timeout: 30 * time.Second}
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				if err := soakRound(c, a.srv.URL, i, n, &requests); err != nil {
					fail("client %d round %d: %v", i, n, err)
				}
			}
		})
	}

	samples := make([]soakSample, 0, int(duration/time.Second)+1)
	tick := time.NewTicker(time.Second)
	end := time.After(duration)
sampling:
	for {
		select {
		case <-tick.C:
			samples = append(samples, takeSample(dbFile))
		case <-end:
			break sampling
		}
	}
	tick.Stop()
	close(stop)
	wg.Wait()

	if n := failures.Load(); n > 0 {
		t.Fatalf("%d of %d requests failed; first: %v", n, requests.Load(), firstFailure.Load())
	}
	window := max(len(samples)/6, 1) // 10 s of a 60 s run
	first, last := summarize(samples[:window]), summarize(samples[len(samples)-window:])
	t.Logf("soak: %d clients, %v, %d requests (%.0f/s), 0 failed; heap %.1f -> %.1f MiB, open fds %d -> %d, and the database's %d -> %d",
		clients, duration, requests.Load(), float64(requests.Load())/duration.Seconds(),
		first.heapMiB, last.heapMiB, first.fds, last.fds, first.dbFDs, last.dbFDs)
	if last.heapMiB > first.heapMiB*1.5+4 {
		t.Fatalf("the heap grew from %.1f MiB to %.1f MiB", first.heapMiB, last.heapMiB)
	}
	if last.fds > first.fds+16 {
		t.Fatalf("open file descriptors (the database's aside) grew from %d to %d", first.fds, last.fds)
	}
	if first.fds < 0 {
		t.Logf("no /proc/self/fd here: the descriptor checks are skipped")
		return
	}
	if first.dbFDs == 0 {
		t.Fatalf("no open descriptor names %s: the split of the database's descriptors from the rest found none", dbFile)
	}
	if last.dbFDs > sqliteFDBound {
		t.Fatalf("the database's connections hold %d descriptors, more than their pools can open (%d)", last.dbFDs, sqliteFDBound)
	}
}

func soakEmail(i int) string { return fmt.Sprintf("soak-%d@example.com", i) }

// soakRound is one visit of client i: log in, check the profile is its
// own, add an item, read the list back, log out.
func soakRound(c *http.Client, base string, i, n int, requests *atomic.Int64) error {
	do := func(method, path string, form url.Values) (*http.Response, string, error) {
		requests.Add(1)
		req, err := http.NewRequest(method, base+path, strings.NewReader(form.Encode()))
		if err != nil {
			return nil, "", err
		}
		if method == http.MethodPost {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Origin", base)
			req.Header.Set("Sec-Fetch-Site", "same-origin")
		}
		resp, err := c.Do(req)
		if err != nil {
			return nil, "", err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		return resp, string(body), err
	}
	email := soakEmail(i)
	resp, body, err := do(http.MethodPost, "/login", url.Values{"email": {email}, "password": {"soak-password"}})
	if err != nil || resp.Request.URL.Path != "/profile" || !strings.Contains(body, email) {
		return fmt.Errorf("login: %v %v", err, status(resp))
	}
	item := fmt.Sprintf("item %d of client %d", n, i)
	if resp, _, err := do(http.MethodPost, "/items", url.Values{"name": {item}}); err != nil || resp.StatusCode != http.StatusOK {
		return fmt.Errorf("add item: %v %v", err, status(resp))
	}
	resp, body, err = do(http.MethodGet, "/api/items", nil)
	var items struct{ Items []string }
	if err != nil || resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &items) != nil {
		return fmt.Errorf("items: %v %v", err, status(resp))
	}
	if len(items.Items) != 1 || items.Items[0] != item {
		return fmt.Errorf("the session holds %q, want only %q: lost or crossed", items.Items, item)
	}
	resp, body, err = do(http.MethodGet, "/api/profile", nil)
	if err != nil || resp.StatusCode != http.StatusOK || !strings.Contains(body, `"email":"`+email+`"`) {
		return fmt.Errorf("profile: %v %v %.100s", err, status(resp), body)
	}
	if resp, _, err := do(http.MethodPost, "/logout", nil); err != nil || resp.Request.URL.Path != "/login" {
		return fmt.Errorf("logout: %v %v", err, status(resp))
	}
	return nil
}

func status(r *http.Response) string {
	if r == nil {
		return "no response"
	}
	return r.Status
}

// soakSample is the process's state at one moment.
type soakSample struct {
	heapMiB float64
	fds     int // open descriptors but the database's: they must stay flat
	// dbFDs are the descriptors of the database file and its -wal and
	// -shm: the connection pools', which open connections as bursts of
	// requests need them and keep them, so they are bounded, not flat.
	dbFDs int
}

// sqliteFDBound is the most descriptors the app's SQLite connections can
// hold: two (the file and its WAL) for each of the store's at most 64
// readers, its writer and its checkpointer and the users table's 4
// connections, and the -shm file's one.
const sqliteFDBound = 2*(64+1+1+usersConns) + 1

// descriptorPath is path as /proc/self/fd names the files it opens:
// absolute, with symbolic links (a TMPDIR that is one) resolved.
func descriptorPath(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	if resolved, err := filepath.EvalSymlinks(path); err == nil {
		path = resolved
	}
	return path
}

// takeSample reads the heap and the open descriptors, telling those of
// the files whose path starts with db apart.
func takeSample(db string) soakSample {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	s := soakSample{heapMiB: float64(m.HeapAlloc) / (1 << 20), fds: -1}
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return s
	}
	s.fds = 0
	for _, e := range entries {
		if target, _ := os.Readlink("/proc/self/fd/" + e.Name()); strings.HasPrefix(target, db) {
			s.dbFDs++
		} else {
			s.fds++
		}
	}
	return s
}

// summarize is the mean heap and the most file descriptors of samples.
func summarize(samples []soakSample) soakSample {
	var s soakSample
	for _, x := range samples {
		s.heapMiB += x.heapMiB / float64(len(samples))
		s.fds = max(s.fds, x.fds)
		s.dbFDs = max(s.dbFDs, x.dbFDs)
	}
	return s
}
