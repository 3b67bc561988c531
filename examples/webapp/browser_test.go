package main

import (
	"bytes"
	"cmp"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/sessionsql/sessionsql/internal/pgtest"
)

// chromium finds a Chromium or Chrome binary: $CHROME_PATH, or one of the
// usual names on PATH (Debian's package installs /usr/bin/chromium).
func chromium() string {
	if p := os.Getenv("CHROME_PATH"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// TestBrowserJourney drives the app in headless Chromium: log in through
// the form, see the profile, add an item, reload and still see it, see
// this browser and another device on "Your sessions" and log the other one
// out, log out and land on the login page. It saves a screenshot of the
// item list.
func TestBrowserJourney(t *testing.T) {
	chrome := chromium()
	if chrome == "" {
		if pgtest.InCI() {
			t.Fatal("no Chromium found; CI must run the browser test (install Debian's chromium package)")
		}
		t.Skip("skipping: no Chromium found (install Debian's chromium package, or set CHROME_PATH)")
	}
	a := startApp(t, backendDSN["sqlite"](t))

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chrome),
		chromedp.NoSandbox, // Chromium refuses to run as root with its sandbox
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	defer cancelCtx()
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute) // a hang guard
	defer cancel()

	const itemName = "Tea from the browser"
	item := chromedp.Search(`//ul[@id="items"]//span[@class="item" and text()="` + itemName + `"]`)
	err := chromedp.Do(ctx,
		chromedp.Navigate(a.srv.URL+"/login"),
		chromedp.WaitVisible(chromedp.CSS("#login-form")),
		chromedp.SendKeys(chromedp.CSS("#email"), defaultDemoEmail),
		chromedp.SendKeys(chromedp.CSS("#password"), defaultDemoPassword),
		chromedp.Click(chromedp.CSS("#login")),
		chromedp.WaitVisible(chromedp.CSS("#profile")),
	)
	if err != nil {
		t.Fatalf("browser, logging in: %v", err)
	}
	email := browse(t, ctx, chromedp.Text(chromedp.CSS("#profile-email")))

	err = chromedp.Do(ctx,
		chromedp.Navigate(a.srv.URL+"/items"),
		chromedp.WaitVisible(chromedp.CSS("#add-item")),
		chromedp.SendKeys(chromedp.CSS("#item-name"), itemName),
		chromedp.Click(chromedp.CSS("#add")),
		chromedp.WaitVisible(item),
		chromedp.Reload(),
		chromedp.WaitVisible(item),
	)
	if err != nil {
		t.Fatalf("browser, adding an item: %v", err)
	}
	items := browse(t, ctx, chromedp.Text(chromedp.CSS("#items")))
	shot := browse(t, ctx, chromedp.FullScreenshot(100))

	// Another device logs in; "Log out other devices" in the browser ends it.
	phone := a.browserAs(uaSafariPhone)
	phone.loginDemo()
	err = chromedp.Do(ctx,
		chromedp.Navigate(a.srv.URL+"/sessions"),
		chromedp.WaitVisible(chromedp.CSS("#sessions")),
	)
	if err != nil {
		t.Fatalf("browser, opening the sessions page: %v", err)
	}
	sessions := browse(t, ctx, chromedp.Text(chromedp.CSS("#sessions")))
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("#logout-others")),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
	)
	if err != nil {
		t.Fatalf("browser, logging out other devices: %v", err)
	}
	flash := browse(t, ctx, chromedp.Text(chromedp.CSS(".flash")))

	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("#logout")),
		chromedp.WaitVisible(chromedp.CSS("#login-form")),
	)
	if err != nil {
		t.Fatalf("browser, logging out: %v", err)
	}
	afterLogout := browse(t, ctx, chromedp.Text(chromedp.CSS("main")))
	location := browse(t, ctx, chromedp.Location())

	shotPath := filepath.Join(cmp.Or(os.Getenv("SCREENSHOT_DIR"), t.TempDir()), "items.png")
	if err := os.WriteFile(shotPath, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(shot, []byte("\x89PNG")) {
		t.Fatalf("the screenshot at %s is not a PNG", shotPath)
	}
	t.Logf("screenshot of the item list: %s (%d bytes)", shotPath, len(shot))

	if strings.TrimSpace(email) != defaultDemoEmail {
		t.Fatalf("profile shows %q, want %s", email, defaultDemoEmail)
	}
	if !strings.Contains(items, itemName) {
		t.Fatalf("after a reload the list reads %q, want it to hold %q", items, itemName)
	}
	if !strings.Contains(sessions, "Headless Chrome on Linux (this device)") || !strings.Contains(sessions, "Safari on iPhone") {
		t.Fatalf("the sessions page reads %q, want this browser marked and the phone listed", sessions)
	}
	if flash != "Logged out 1 other device." || phone.loggedIn() {
		t.Fatalf("after log out other devices the page says %q and the phone is logged in: %v", flash, phone.loggedIn())
	}
	if !strings.HasSuffix(location, "/login") || !strings.Contains(afterLogout, "You have been logged out.") {
		t.Fatalf("after logout the browser is at %s showing %q", location, afterLogout)
	}
}

// browse runs one browser action that returns a value, failing the test on error.
func browse[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	return v
}
