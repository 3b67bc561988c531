package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/sessionsql/sessionsql"
	"github.com/sessionsql/sessionsql/internal/pgtest"
)

// TestAccountJourney: sign up, see the profile, keep a list in the session,
// log out, and find the protected pages closed again.
func TestAccountJourney(t *testing.T) {
	eachBackend(t, func(t *testing.T, dsn string) {
		a := startApp(t, dsn)
		b := a.browser()

		r := b.post("/signup", url.Values{"email": {"Ada@Example.com"}, "password": {"correct horse"}})
		if r.url != "/profile" {
			t.Fatalf("sign-up landed on %s (%d): %.300s", r.url, r.status, r.body)
		}
		mustContain(t, "profile after sign-up", r.body, "ada@example.com", "Welcome! Your account is ready.", "Session started")

		for _, item := range []string{"apples", "pears", "<script>alert(1)</script>"} {
			if r := b.post("/items", url.Values{"name": {item}}); r.url != "/items" || r.status != http.StatusOK {
				t.Fatalf("adding %q: %s %d", item, r.url, r.status)
			}
		}
		r = b.get("/items")
		mustContain(t, "items page", r.body, "apples", "pears", "&lt;script&gt;alert(1)&lt;/script&gt;")
		if strings.Contains(r.body, "<script>alert(1)") {
			t.Fatal("an item was rendered unescaped")
		}
		if r := b.post("/items/remove", url.Values{"index": {"0"}}); strings.Contains(r.body, "apples") || !strings.Contains(r.body, "pears") {
			t.Fatalf("after removing the first item: %.400s", r.body)
		}
		if r := b.post("/items/remove", url.Values{"index": {"99"}}); r.status != http.StatusBadRequest {
			t.Fatalf("removing a missing item: %d, want 400", r.status)
		}

		r = b.post("/logout", nil)
		if r.url != "/login" {
			t.Fatalf("logout landed on %s", r.url)
		}
		mustContain(t, "login page after logout", r.body, "You have been logged out.")
		if r := b.get("/profile"); r.url != "/login" {
			t.Fatalf("the profile after logout landed on %s, want the login page", r.url)
		}
		if r := b.get("/items"); r.url != "/login" || strings.Contains(r.body, "pears") {
			t.Fatal("the item list survived logout")
		}

		// The account is still there.
		b.login("ada@example.com", "correct horse")
		if r := b.get("/profile"); !strings.Contains(r.body, "ada@example.com") {
			t.Fatal("could not log in again")
		}
	})
}

func TestSignupErrors(t *testing.T) {
	a := startApp(t, backendDSN["sqlite"](t))
	b := a.browser()
	for _, c := range []struct{ email, password, want string }{
		{"not-an-email", "long enough", "Enter a valid email address."},
		{"x@example.com", "short", "Use a password of at least 8 characters."},
		{defaultDemoEmail, "long enough", "An account with that email already exists."},
	} {
		r := b.post("/signup", url.Values{"email": {c.email}, "password": {c.password}})
		if r.status != http.StatusUnprocessableEntity {
			t.Fatalf("sign-up %q/%q: %d, want 422", c.email, c.password, r.status)
		}
		mustContain(t, "sign-up error", r.body, c.want)
	}
}

// TestOldCookieRejectedAfterLogout: a token copied before logout opens
// nothing afterwards, on the pages or the API.
func TestOldCookieRejectedAfterLogout(t *testing.T) {
	eachBackend(t, func(t *testing.T, dsn string) {
		a := startApp(t, dsn)
		b := a.browser()
		b.loginDemo()
		stolen := b.sessionCookie()
		if stolen == "" {
			t.Fatal("no session cookie after login")
		}
		if r, _ := a.withCookie(stolen).api(http.MethodGet, "/api/profile", nil); r.status != http.StatusOK {
			t.Fatalf("the token does not work before logout (%d); the test proves nothing", r.status)
		}
		stored := sessionsql.StoredToken(a.app.sm, stolen)
		if _, found, err := a.app.backend.sessions.Find(stored); err != nil || !found {
			t.Fatalf("the session is not in the store under its stored token before logout (%v); the check after it proves nothing", err)
		}
		b.post("/logout", nil)
		if r, _ := a.withCookie(stolen).api(http.MethodGet, "/api/profile", nil); r.status != http.StatusUnauthorized {
			t.Fatalf("the pre-logout token still opens the profile: %d", r.status)
		}
		if r := a.withCookie(stolen).get("/profile"); r.url != "/login" {
			t.Fatalf("the pre-logout token still opens the profile page (%s)", r.url)
		}
		if _, found, _ := a.app.backend.sessions.Find(stored); found {
			t.Fatal("the pre-logout session is still in the store")
		}
	})
}

// TestSessionFixation: a session that existed before login (planted by an
// attacker, say) is not the one that gets logged in.
func TestSessionFixation(t *testing.T) {
	eachBackend(t, func(t *testing.T, dsn string) {
		a := startApp(t, dsn)
		b := a.browser()
		b.post("/logout", nil) // leaves an anonymous session with a flash message
		planted := b.sessionCookie()
		if planted == "" {
			t.Fatal("no anonymous session before login; the test proves nothing")
		}
		b.loginDemo()
		if b.sessionCookie() == planted {
			t.Fatal("login kept the session token from before login")
		}
		if r, _ := a.withCookie(planted).api(http.MethodGet, "/api/profile", nil); r.status != http.StatusUnauthorized {
			t.Fatalf("the pre-login token is logged in: %d", r.status)
		}
	})
}

// TestCrossOriginPostRejected: a form posted from another site, or a
// request a browser marks cross-site, changes nothing.
func TestCrossOriginPostRejected(t *testing.T) {
	a := startApp(t, backendDSN["sqlite"](t))
	b := a.browser()
	b.loginDemo()
	for name, headers := range map[string]map[string]string{
		"Sec-Fetch-Site cross-site": {"Sec-Fetch-Site": "cross-site"},
		"foreign Origin":            {"Origin": "https://evil.example"},
	} {
		req, _ := http.NewRequest(http.MethodPost, a.srv.URL+"/items", strings.NewReader("name=injected"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		if r := b.do(req); r.status != http.StatusForbidden {
			t.Fatalf("%s: POST /items answered %d, want 403", name, r.status)
		}
		req, _ = http.NewRequest(http.MethodPost, a.srv.URL+"/logout", nil)
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		if r := b.do(req); r.status != http.StatusForbidden {
			t.Fatalf("%s: POST /logout answered %d, want 403", name, r.status)
		}
	}
	if r := b.get("/items"); strings.Contains(r.body, "injected") {
		t.Fatal("a cross-origin POST added an item")
	}
	if r := b.get("/profile"); !strings.Contains(r.body, defaultDemoEmail) {
		t.Fatal("a cross-origin POST logged the user out")
	}
}

// TestAPI: the JSON API, logged out and in, with bad input.
func TestAPI(t *testing.T) {
	eachBackend(t, func(t *testing.T, dsn string) {
		a := startApp(t, dsn)
		c := a.browser()
		check := func(what string, r response, body map[string]any, status int) {
			t.Helper()
			if r.status != status {
				t.Fatalf("%s: %d %s, want %d", what, r.status, r.body, status)
			}
			if r.header.Get("Content-Type") != "application/json" {
				t.Fatalf("%s: Content-Type %q, want application/json", what, r.header.Get("Content-Type"))
			}
			if status >= 400 && body["error"] == nil {
				t.Fatalf("%s: error without an \"error\" field: %s", what, r.body)
			}
		}
		r, body := c.api(http.MethodGet, "/api/profile", nil)
		check("profile logged out", r, body, http.StatusUnauthorized)
		r, body = c.api(http.MethodGet, "/api/items", nil)
		check("items logged out", r, body, http.StatusUnauthorized)
		r, body = c.api(http.MethodPost, "/api/items", map[string]string{"name": "x"})
		check("add item logged out", r, body, http.StatusUnauthorized)

		r, body = c.api(http.MethodPost, "/api/login", `{"email": "demo@example.com", "password": `)
		check("truncated JSON", r, body, http.StatusBadRequest)
		r, body = c.api(http.MethodPost, "/api/login", `{"email": "demo@example.com", "pasword": "x"}`)
		check("unknown field", r, body, http.StatusBadRequest)
		r, body = c.api(http.MethodPost, "/api/login", `{"email": "a"} {"email": "b"}`)
		check("two objects", r, body, http.StatusBadRequest)
		for _, notObject := range []string{`null`, `[]`, `"demo@example.com"`, `42`} {
			r, body = c.api(http.MethodPost, "/api/login", notObject)
			check("login body "+notObject, r, body, http.StatusBadRequest)
		}
		r, body = c.api(http.MethodGet, "/api/login", nil)
		check("GET /api/login", r, body, http.StatusMethodNotAllowed)
		if r.header.Get("Allow") != "POST" {
			t.Fatalf("405 Allow header = %q, want POST", r.header.Get("Allow"))
		}
		r, body = c.api(http.MethodDelete, "/api/items", nil)
		check("DELETE /api/items", r, body, http.StatusMethodNotAllowed)
		r, body = c.api(http.MethodGet, "/api/nope", nil)
		check("unknown endpoint", r, body, http.StatusNotFound)

		r, body = c.api(http.MethodPost, "/api/login", map[string]string{"email": defaultDemoEmail, "password": "wrong"})
		check("wrong password", r, body, http.StatusUnauthorized)
		r, body = c.api(http.MethodPost, "/api/login", map[string]string{"email": defaultDemoEmail, "password": defaultDemoPassword})
		check("login", r, body, http.StatusOK)
		if body["email"] != defaultDemoEmail {
			t.Fatalf("login answered %v", body)
		}
		r, body = c.api(http.MethodGet, "/api/profile", nil)
		check("profile", r, body, http.StatusOK)
		if body["email"] != defaultDemoEmail || body["session_started"] == nil {
			t.Fatalf("profile = %v", body)
		}
		r, body = c.api(http.MethodPost, "/api/items", map[string]string{"name": "milk"})
		check("add item", r, body, http.StatusCreated)
		r, body = c.api(http.MethodPost, "/api/items", map[string]string{"name": "  "})
		check("blank item", r, body, http.StatusBadRequest)
		r, body = c.api(http.MethodPost, "/api/items", `{"name": 42}`)
		check("item name not a string", r, body, http.StatusBadRequest)
		r, body = c.api(http.MethodGet, "/api/items", nil)
		check("items", r, body, http.StatusOK)
		if items, _ := body["items"].([]any); len(items) != 1 || items[0] != "milk" {
			t.Fatalf("items = %v, want [milk]", body["items"])
		}
		r, body = c.api(http.MethodPost, "/api/logout", nil)
		check("logout", r, body, http.StatusOK)
		r, body = c.api(http.MethodGet, "/api/profile", nil)
		check("profile after logout", r, body, http.StatusUnauthorized)
	})
}

// TestLoginErrorsAreGeneric: a wrong email and a wrong password look the
// same, on the page and in the API.
func TestLoginErrorsAreGeneric(t *testing.T) {
	a := startApp(t, backendDSN["sqlite"](t))
	b := a.browser()
	wrongEmail := b.login("nobody@example.com", defaultDemoPassword)
	wrongPassword := b.login(defaultDemoEmail, "not the password")
	if wrongEmail.status != http.StatusUnauthorized || wrongPassword.status != wrongEmail.status {
		t.Fatalf("statuses: wrong email %d, wrong password %d; want both 401", wrongEmail.status, wrongPassword.status)
	}
	msg := "Invalid email or password."
	mustContain(t, "wrong email", wrongEmail.body, msg)
	mustContain(t, "wrong password", wrongPassword.body, msg)
	_, e := b.api(http.MethodPost, "/api/login", map[string]string{"email": "nobody@example.com", "password": "x"})
	_, p := b.api(http.MethodPost, "/api/login", map[string]string{"email": defaultDemoEmail, "password": "x"})
	if e["error"] != p["error"] || e["error"] == nil {
		t.Fatalf("API errors differ: %v vs %v", e, p)
	}
}

// TestLoginLimit: after five failures an account refuses even the right
// password for a quarter of an hour (the limiter's clock is the test's).
func TestLoginLimit(t *testing.T) {
	a := startApp(t, backendDSN["sqlite"](t))
	b := a.browser()
	for i := range 5 {
		if r := b.login(defaultDemoEmail, "guess"); r.status != http.StatusUnauthorized {
			t.Fatalf("failure %d answered %d", i+1, r.status)
		}
	}
	r := b.login(defaultDemoEmail, defaultDemoPassword)
	if r.status != http.StatusTooManyRequests {
		t.Fatalf("the right password after five failures answered %d, want 429", r.status)
	}
	mustContain(t, "limited login", r.body, "Too many failed attempts")
	if r, _ := b.api(http.MethodPost, "/api/login", map[string]string{"email": defaultDemoEmail, "password": defaultDemoPassword}); r.status != http.StatusTooManyRequests {
		t.Fatalf("the API let the limited account in: %d", r.status)
	}
	other := a.browser()
	if r := other.post("/signup", url.Values{"email": {"bo@example.com"}, "password": {"another one"}}); r.url != "/profile" {
		t.Fatal("the limit on one account blocked another")
	}
	a.clock.Advance(16 * time.Minute)
	b.loginDemo()
}

// TestSessionsSurviveRestart: the app restarts on the same database and
// its users stay logged in, with their lists.
func TestSessionsSurviveRestart(t *testing.T) {
	eachBackend(t, func(t *testing.T, dsn string) {
		a := startApp(t, dsn)
		b := a.browser()
		b.loginDemo()
		b.post("/items", url.Values{"name": {"kept"}})
		token := b.sessionCookie()
		a.srv.Close()
		a.app.Close()

		again := startApp(t, dsn)
		r := again.withCookie(token).get("/items")
		if r.url != "/items" || !strings.Contains(r.body, "kept") {
			t.Fatalf("after a restart the session is gone: %s %.200s", r.url, r.body)
		}
	})
}

// TestStartupLogSaysWhereAndHow: the first lines tell where the data lives
// and how to log in.
func TestStartupLogSaysWhereAndHow(t *testing.T) {
	var logs syncBuffer
	cfg := testConfig(backendDSN["sqlite"](t), nil)
	cfg.Now = nil
	cfg.Addr = "127.0.0.1:0"
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- run(ctx, cfg, newTestLogger(&logs), ready) }()
	<-ready
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	mustContain(t, "start-up log", logs.String(), "SQLite file", "webapp.db", defaultDemoEmail, defaultDemoPassword, "shut down cleanly")
}

// TestBadDatabaseURLHidesThePassword: a PostgreSQL connection string pgx
// cannot read or would misread (taking a piece of the password for the
// host, port or database), or a -db that is neither such a URL nor a path,
// stops the app with an error that never quotes it, before any of it is
// taken for a SQLite file or a server to reach.
func TestBadDatabaseURLHidesThePassword(t *testing.T) {
	for _, c := range []struct {
		conn     string
		postgres bool
	}{
		{"postgres://app:hunter2@db/app?pool_max_conns=many", false},
		{"postgres://app:hunter2@db:99999/app", false},
		{"postgresql://app:hunter2@[::1/app", false},
		{"postgres://app:4242/hunter2@127.0.0.1/app", false},
		{"postgres://app:hunter2@db/app?x&hunter2", false},
		{"postgres://app:12#hunter2@db/app", false},
		{"host=db password = hunter2 pool_max_conns=many", false},
		{"host=db;user=app;password=hunter2;dbname=app", false},
		{"PGPASSWORD=hunter2", false},
		{"POSTGRES://app:hunter2@db/app", false},
		{"jdbc:postgresql://db/app?user=app&password=hunter2", false},
		{"user:hunter2@localhost/app", false},
		{"postgres:/u:hunter2@h/d", false},
		{"host=127.0.0.1port=1password=hunter2", true},
		{"host=db password=hunter2 pool_max_conns=many", true},
	} {
		_, err := openBackend(context.Background(), c.conn, c.postgres, newTestLogger(io.Discard))
		if err == nil || strings.Contains(err.Error(), "hunter2") || !strings.Contains(err.Error(), "DATABASE_URL") {
			t.Errorf("openBackend(%q, postgres %v) = %v; want an error naming DATABASE_URL without the password", c.conn, c.postgres, err)
		}
		if _, statErr := os.Stat(c.conn); !errors.Is(statErr, os.ErrNotExist) {
			t.Errorf("openBackend(%q) made a file of that name", c.conn)
		}
	}
}

// TestKeywordValueConnectionString: -postgres takes a connection string
// in libpq's keyword/value form, which -db would refuse, and the app runs
// on it.
func TestKeywordValueConnectionString(t *testing.T) {
	u, err := url.Parse(pgtest.DatabaseURL(t, pgtest.Database(t)))
	if err != nil {
		t.Fatal(err)
	}
	kv := fmt.Sprintf("host=%s port=%s user=%s dbname=%s", u.Query().Get("host"), u.Query().Get("port"), u.User.Username(), strings.TrimPrefix(u.Path, "/"))
	if _, err := configFromFlags([]string{"-db", kv}, io.Discard); err == nil {
		t.Fatal("-db with a keyword/value string was taken")
	}
	cfg, err := configFromFlags([]string{"-postgres", kv}, io.Discard)
	if err != nil || !cfg.Postgres || cfg.DB != kv {
		t.Fatalf("-postgres %q: %+v, %v; want PostgreSQL over it", kv, cfg, err)
	}
	if _, err := configFromFlags([]string{"-postgres", kv, "-db", "x.db"}, io.Discard); err == nil {
		t.Fatal("-db and -postgres together were taken")
	}
	c := testConfig(kv, nil)
	c.Postgres = true
	app, err := newApp(context.Background(), c, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	if !strings.HasPrefix(app.Where(), "PostgreSQL at ") {
		t.Fatalf("the app over -postgres keeps its data in %s, want PostgreSQL", app.Where())
	}
}

// TestMetricsEndpoint: /metrics serves the store's numbers in the
// Prometheus text format, and they move with the traffic.
func TestMetricsEndpoint(t *testing.T) {
	a := startApp(t, backendDSN["sqlite"](t))
	b := a.browser()
	b.loginDemo()
	b.get("/profile")
	r := b.get("/metrics")
	if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain; version=0.0.4") {
		t.Fatalf("/metrics: %d %s", r.status, r.header.Get("Content-Type"))
	}
	mustContain(t, "/metrics", r.body,
		"# TYPE sessionsql_operations_total counter",
		`sessionsql_operation_duration_seconds_count{store="sessions",op="find"}`,
		`sessionsql_reaper_runs_total{store="sessions"}`)
	if strings.Contains(r.body, `sessionsql_operations_total{store="sessions",op="commit"} 0`+"\n") {
		t.Fatal("no commit counted after a login")
	}
}
