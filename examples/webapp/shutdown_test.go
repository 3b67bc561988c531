package main

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
)

// TestGracefulShutdown: a request in flight when shutdown starts is
// finished and its session change kept; then the server, the session
// cleanup and the database close, and run returns without error.
func TestGracefulShutdown(t *testing.T) {
	dsn := backendDSN["sqlite"](t)
	cfg := testConfig(dsn, nil)
	cfg.Addr = "127.0.0.1:0"
	reached := make(chan struct{}, 16)
	cfg.handling = func() { reached <- struct{}{} }
	var logs syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- run(ctx, cfg, newTestLogger(&logs), ready) }()
	base := "http://" + <-ready

	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	resp, err := client.Post(base+"/api/login", "application/json",
		strings.NewReader(`{"email": "`+defaultDemoEmail+`", "password": "`+defaultDemoPassword+`"}`))
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("login: %v %v", resp, err)
	}
	resp.Body.Close()
	<-reached

	// A request whose body is still on its way when shutdown starts.
	body, feed := io.Pipe()
	type result struct {
		status int
		err    error
	}
	inFlight := make(chan result, 1)
	go func() {
		resp, err := client.Post(base+"/api/items", "application/json", body)
		if err != nil {
			inFlight <- result{err: err}
			return
		}
		resp.Body.Close()
		inFlight <- result{status: resp.StatusCode}
	}()
	if _, err := feed.Write([]byte(`{"name": `)); err != nil {
		t.Fatal(err)
	}
	<-reached // the handler is running, waiting for the rest of the body
	cancel()  // SIGINT, as far as run is concerned
	if _, err := feed.Write([]byte(`"finished during shutdown"}`)); err != nil {
		t.Fatal(err)
	}
	feed.Close()
	if r := <-inFlight; r.err != nil || r.status != http.StatusCreated {
		t.Fatalf("the in-flight request: %+v, want 201", r)
	}
	if err := <-done; err != nil {
		t.Fatalf("run after shutdown: %v", err)
	}
	mustContain(t, "shutdown log", logs.String(), "shutting down", "shut down cleanly")

	// Nothing lost: the change made during shutdown is in the database.
	again := startApp(t, dsn)
	token := ""
	for _, c := range jar.Cookies(mustURL(t, base)) {
		if c.Name == "session" {
			token = c.Value
		}
	}
	r := again.withCookie(token).get("/items")
	mustContain(t, "items after restart", r.body, "finished during shutdown")
}
