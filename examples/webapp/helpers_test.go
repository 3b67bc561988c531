package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sessionsql/sessionsql/internal/pgtest"
	"github.com/sessionsql/sessionsql/store/storetest"
	"go.uber.org/goleak"
	"golang.org/x/crypto/bcrypt"
)

// TestMain checks for leaked goroutines once the tests are done. scs.New
// always starts a memstore whose cleanup goroutine runs forever, even when
// the app replaces the store at once: that one is not ours to stop.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(pgtest.M(m), goleak.IgnoreTopFunction("github.com/alexedwards/scs/v2/memstore.(*MemStore).startCleanup"))
}

// backendDSN returns a fresh database for the app: a SQLite file, or a
// PostgreSQL schema of the test's own.
var backendDSN = map[string]func(t *testing.T) string{
	"sqlite": func(t *testing.T) string { return filepath.Join(t.TempDir(), "webapp.db") },
	"postgres": func(t *testing.T) string {
		return pgtest.URL(t, pgtest.Schema(t))
	},
}

func eachBackend(t *testing.T, fn func(t *testing.T, dsn string)) {
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fn(t, backendDSN[name](t))
		})
	}
}

// testApp is the app behind a real HTTP server.
type testApp struct {
	t     *testing.T
	app   *App
	srv   *httptest.Server
	clock *storetest.Clock
}

func testConfig(dsn string, clock *storetest.Clock) Config {
	c := Config{
		DB:           dsn,
		DemoEmail:    defaultDemoEmail,
		DemoPassword: defaultDemoPassword,
		BcryptCost:   bcrypt.MinCost,
	}
	if clock != nil {
		c.Now = clock.Now
	}
	return c
}

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newTestLogger(w io.Writer) *slog.Logger { return slog.New(slog.NewTextHandler(w, nil)) }

func startApp(t *testing.T, dsn string) *testApp {
	t.Helper()
	clock := storetest.NewClock(time.Now())
	app, err := newApp(context.Background(), testConfig(dsn, clock), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app.Handler())
	t.Cleanup(func() {
		srv.Close()
		app.Close()
	})
	return &testApp{t: t, app: app, srv: srv, clock: clock}
}

// browser is one client with its own cookie jar. It sends the headers a
// browser sends on a same-origin form post.
type browser struct {
	a  *testApp
	c  *http.Client
	ua string // User-Agent, when not Go's default
}

func (a *testApp) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{a: a, c: &http.Client{Jar: jar}}
}

// browserAs is a browser that sends the User-Agent ua.
func (a *testApp) browserAs(ua string) *browser {
	b := a.browser()
	b.ua = ua
	return b
}

type response struct {
	status int
	body   string
	header http.Header
	url    string
}

func (b *browser) do(req *http.Request) response {
	b.a.t.Helper()
	if b.ua != "" {
		req.Header.Set("User-Agent", b.ua)
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.a.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, body: string(body), header: resp.Header, url: resp.Request.URL.Path}
}

func (b *browser) get(path string) response {
	b.a.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.a.srv.URL+path, nil)
	return b.do(req)
}

// post sends a form the way a browser does from one of the app's pages.
func (b *browser) post(path string, form url.Values) response {
	b.a.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.a.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.a.srv.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return b.do(req)
}

// api sends a JSON request the way a non-browser client does: no Origin,
// no Sec-Fetch-Site. body may be a string (sent as is) or a value.
func (b *browser) api(method, path string, body any) (response, map[string]any) {
	b.a.t.Helper()
	var r io.Reader
	switch v := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(v)
	default:
		data, _ := json.Marshal(v)
		r = bytes.NewReader(data)
	}
	req, _ := http.NewRequest(method, b.a.srv.URL+path, r)
	req.Header.Set("Content-Type", "application/json")
	resp := b.do(req)
	var decoded map[string]any
	if resp.header.Get("Content-Type") == "application/json" {
		if err := json.Unmarshal([]byte(resp.body), &decoded); err != nil {
			b.a.t.Fatalf("%s %s: body is not JSON: %q", method, path, resp.body)
		}
	}
	return resp, decoded
}

// sessionCookie is the session token the browser holds.
func (b *browser) sessionCookie() string {
	u, _ := url.Parse(b.a.srv.URL)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == "session" {
			return c.Value
		}
	}
	return ""
}

// withCookie is a new browser that holds only the given session token.
func (a *testApp) withCookie(token string) *browser {
	b := a.browser()
	u, _ := url.Parse(a.srv.URL)
	b.c.Jar.SetCookies(u, []*http.Cookie{{Name: "session", Value: token, Path: "/"}})
	return b
}

func (b *browser) login(email, password string) response {
	b.a.t.Helper()
	return b.post("/login", url.Values{"email": {email}, "password": {password}})
}

func (b *browser) loginDemo() {
	b.a.t.Helper()
	if r := b.login(defaultDemoEmail, defaultDemoPassword); r.url != "/profile" || !strings.Contains(r.body, defaultDemoEmail) {
		b.a.t.Fatalf("demo login landed on %s (%d): %.200s", r.url, r.status, r.body)
	}
}

func mustContain(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Fatalf("%s does not contain %q:\n%.600s", what, w, body)
		}
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
