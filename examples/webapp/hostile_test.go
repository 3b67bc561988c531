package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// hostileGrowth is what hostile traffic may add to the app's resident
// memory (VmRSS): the bound the README states.
const hostileGrowth = 32 << 20

// TestHostileTraffic runs the app as its own process and sends it what an
// attacker would: form bodies of megabytes, emails of megabytes and of
// kilobytes, failed logins under distinct emails until the login limiter
// locks the address out, huge and random cookies, a logged-in session
// stuffed with distinct item names past its bound. Meanwhile a real user
// keeps loading a page and is served every time, and the app's resident
// memory never grows by more than hostileGrowth. (The limiter's own bound,
// 10,000 keys, needs more addresses than one host has: its test is
// TestLimiterMemoryIsBounded.)
func TestHostileTraffic(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("no /proc here: the app's memory cannot be read")
	}
	base, pid := startProcess(t)
	user := newClient(base)
	if r := user.form("/login", url.Values{"email": {defaultDemoEmail}, "password": {defaultDemoPassword}}); r.status != http.StatusOK || !strings.Contains(r.body, defaultDemoEmail) {
		t.Fatalf("the real user's login: %d", r.status)
	}
	// Warm up: one of each hostile request, so that the baseline holds
	// what serving them at all costs.
	hostile, stuffer, lockedOut := hostileRequests(t, base)
	for _, h := range hostile {
		h(0)
	}
	baseline := rss(t, pid)

	var served, failedUser atomic.Int64
	var peak atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() { // the real user
		for {
			select {
			case <-stop:
				return
			default:
			}
			if r := user.get("/profile"); r.status == http.StatusOK && strings.Contains(r.body, defaultDemoEmail) {
				served.Add(1)
			} else {
				failedUser.Add(1)
			}
		}
	})
	wg.Go(func() { // the app's memory, sampled
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				if m := rssNow(pid); m > peak.Load() {
					peak.Store(m)
				}
			}
		}
	})
	var attackers sync.WaitGroup
	for w, h := range hostile {
		attackers.Go(func() {
			for i := 1; i <= hostileRounds; i++ {
				h(w*hostileRounds + i)
			}
		})
	}
	attackers.Wait()
	close(stop)
	wg.Wait()
	if m := rss(t, pid); m > peak.Load() {
		peak.Store(m)
	}
	growth := peak.Load() - baseline
	t.Logf("resident memory %.1f MiB at rest, %.1f MiB at most under attack (+%.1f MiB); the real user was served %d times, failed %d",
		mib(baseline), mib(peak.Load()), mib(growth), served.Load(), failedUser.Load())
	if failedUser.Load() != 0 || served.Load() == 0 {
		t.Fatalf("the real user was served %d times and failed %d times during the attack, want served every time", served.Load(), failedUser.Load())
	}
	if lockedOut.Load() == 0 {
		t.Fatal("failed logins under distinct emails never met the login limiter")
	}
	if n := strings.Count(stuffer.get("/items").body, `<span class="item">item `); n != maxItems {
		t.Fatalf("the stuffed session lists %d items; want its bound, %d", n, maxItems)
	}
	if growth > hostileGrowth {
		t.Fatalf("hostile traffic grew the app's memory by %.1f MiB, want at most %.0f MiB", mib(growth), mib(hostileGrowth))
	}
}

// hostileRounds is how many requests each kind of hostile traffic sends.
const hostileRounds = 60

// hostileRequests are the kinds of hostile traffic, each a func that
// sends its i-th request; the client of the one that stuffs a logged-in
// session; and a count of failed logins the login limiter refused.
func hostileRequests(t *testing.T, base string) (_ []func(i int), stuffer *client, lockedOut *atomic.Int64) {
	attacker := newClient(base)
	stuffer = newClient(base) // has an account and keeps one session, which it stuffs
	if r := stuffer.form("/signup", url.Values{"email": {"stuffer@example.com"}, "password": {"stuffer-password"}}); r.status != http.StatusOK || !strings.Contains(r.body, "stuffer@example.com") {
		t.Fatalf("the stuffer's sign-up: %d", r.status)
	}
	lockedOut = new(atomic.Int64)
	huge := strings.Repeat("x", 2<<20)
	return []func(int){
		func(i int) { // a login form of megabytes
			attacker.form("/login", url.Values{"email": {fmt.Sprint(i) + huge}, "password": {"wrong"}})
		},
		func(i int) { // an email just small enough to send, far too long to be one
			attacker.form("/login", url.Values{"email": {fmt.Sprint(i) + huge[:12<<10]}, "password": {"wrong password"}})
		},
		func(i int) { // failed logins under distinct, plausible emails
			r := attacker.form("/login", url.Values{"email": {fmt.Sprintf("victim-%d-%s@example.com", i, huge[:200])}, "password": {"wrong password"}})
			if r.status == http.StatusTooManyRequests {
				lockedOut.Add(1)
			}
		},
		func(i int) { // sign-up forms of megabytes
			attacker.form("/signup", url.Values{"email": {fmt.Sprintf("new-%d@example.com", i)}, "password": {huge}})
		},
		func(i int) { // a cookie as big as the header limit allows, and a bigger one
			for _, n := range []int{60 << 10, 200 << 10} {
				attacker.withCookie(strings.Repeat("c", n) + fmt.Sprint(i)).get("/profile")
			}
		},
		func(i int) { // random session cookies, a new one each time
			attacker.withCookie(fmt.Sprintf("%043d", i)).get("/profile")
		},
		func(i int) { // distinct item names, as many as fit, in one session
			stuffer.form("/items", url.Values{"name": {fmt.Sprintf("item %d %s", i, huge[:maxItemLen-20])}})
		},
	}, stuffer, lockedOut
}

// startProcess builds the app and runs it on a SQLite file of the test's
// own, listening on 127.0.0.1, until t ends; it returns the app's base URL
// and process id.
func startProcess(t *testing.T) (string, int) {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "webapp")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "-db", filepath.Join(dir, "webapp.db"))
	cmd.Env = append(os.Environ(), "ADDR=127.0.0.1:0")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
	})
	lines := bufio.NewScanner(stderr)
	listening := regexp.MustCompile(`url=(http://\S+)`)
	for lines.Scan() {
		if m := listening.FindStringSubmatch(lines.Text()); m != nil {
			go io.Copy(io.Discard, stderr)
			return m[1], cmd.Process.Pid
		}
	}
	t.Fatalf("the app never said where it listens: %v", cmd.Wait())
	return "", 0
}

// rss is the resident memory of process pid, in bytes.
func rss(t *testing.T, pid int) int64 {
	t.Helper()
	m := rssNow(pid)
	if m == 0 {
		t.Fatalf("no VmRSS for process %d", pid)
	}
	return m
}

func rssNow(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

func mib(n int64) float64 { return float64(n) / (1 << 20) }

// client is a browser-like HTTP client of the app's process.
type client struct {
	base   string
	http   *http.Client
	cookie string // sent as the session cookie when set, in place of the jar's
}

func newClient(base string) *client {
	jar, _ := cookiejar.New(nil)
	return &client{base: base, http: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
}

func (c *client) withCookie(value string) *client {
	return &client{base: c.base, http: &http.Client{Timeout: 30 * time.Second}, cookie: value}
}

type reply struct {
	status int
	body   string
}

func (c *client) do(req *http.Request) reply {
	if c.cookie != "" {
		req.Header.Set("Cookie", "session="+c.cookie)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return reply{} // a hostile request the app cut short
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return reply{status: resp.StatusCode, body: string(body)}
}

func (c *client) get(path string) reply {
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, c.base+path, nil)
	return c.do(req)
}

// form posts values as a browser's same-origin form post does.
func (c *client) form(path string, values url.Values) reply {
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, c.base+path, bytes.NewBufferString(values.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", c.base)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return c.do(req)
}
