package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

const (
	uaFirefoxLinux = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"
	uaSafariPhone  = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1"
	uaChromeWin    = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36"
)

// loggedIn reports whether b's session is logged in, by asking for the
// profile.
func (b *browser) loggedIn() bool {
	b.a.t.Helper()
	return b.get("/profile").url == "/profile"
}

// TestYourSessions: a user logged in on three devices sees the three, with
// this one marked; "log out other devices" ends the other two and nobody
// else's session.
func TestYourSessions(t *testing.T) {
	eachBackend(t, func(t *testing.T, dsn string) {
		a := startApp(t, dsn)
		laptop, phone, office := a.browserAs(uaFirefoxLinux), a.browserAs(uaSafariPhone), a.browserAs(uaChromeWin)
		for _, b := range []*browser{laptop, phone, office} {
			b.loginDemo()
		}
		someoneElse := a.browser()
		if r := someoneElse.post("/signup", url.Values{"email": {"eve@example.com"}, "password": {"eve-password"}}); r.url != "/profile" {
			t.Fatalf("sign-up: %s %d", r.url, r.status)
		}

		r := laptop.get("/sessions")
		mustContain(t, "sessions page", r.body, "Firefox on Linux", "Safari on iPhone", "Chrome on Windows", "(this device)")
		if n := strings.Count(r.body, `<tr class="session`); n != 3 {
			t.Fatalf("the sessions page lists %d sessions, want 3:\n%s", n, r.body)
		}
		if n := strings.Count(r.body, "(this device)"); n != 1 {
			t.Fatalf("%d sessions are marked as this device, want 1", n)
		}
		if strings.Contains(r.body, laptop.sessionCookie()) || strings.Contains(r.body, phone.sessionCookie()) {
			t.Fatal("the sessions page shows a session token")
		}

		r = laptop.post("/sessions/others", nil)
		mustContain(t, "after log out other devices", r.body, "Logged out 2 other devices.")
		if phone.loggedIn() || office.loggedIn() {
			t.Fatal("another device is still logged in after log out other devices")
		}
		if !laptop.loggedIn() || !someoneElse.loggedIn() {
			t.Fatal("log out other devices ended this session or another user's")
		}
		if n := strings.Count(laptop.get("/sessions").body, `<tr class="session`); n != 1 {
			t.Fatalf("after log out other devices %d sessions are listed, want 1", n)
		}
	})
}

// TestRevokeOneDevice: the per-row button ends that one session; an ID of
// another user's session does nothing.
func TestRevokeOneDevice(t *testing.T) {
	eachBackend(t, func(t *testing.T, dsn string) {
		a := startApp(t, dsn)
		laptop, phone := a.browserAs(uaFirefoxLinux), a.browserAs(uaSafariPhone)
		laptop.loginDemo()
		phone.loginDemo()
		eve := a.browser()
		eve.post("/signup", url.Values{"email": {"eve@example.com"}, "password": {"eve-password"}})

		// Eve posts the ID of the demo user's phone session, taken from the
		// demo user's page: it is not hers, so nothing happens.
		id := sessionIDOf(t, laptop.get("/sessions").body, "Safari on iPhone")
		eve.post("/sessions/revoke", url.Values{"id": {id}})
		if !phone.loggedIn() {
			t.Fatal("another user revoked the phone's session")
		}
		r := laptop.post("/sessions/revoke", url.Values{"id": {id}})
		mustContain(t, "after revoking the phone", r.body, "That device is logged out.")
		if phone.loggedIn() || !laptop.loggedIn() {
			t.Fatal("revoking the phone did not end exactly the phone's session")
		}
	})
}

// sessionIDOf finds the revoke form's session ID in the row of device.
func sessionIDOf(t *testing.T, page, device string) string {
	t.Helper()
	_, row, ok := strings.Cut(page, device)
	if !ok {
		t.Fatalf("no row for %s in:\n%s", device, page)
	}
	_, rest, ok := strings.Cut(row, `name="id" value="`)
	if !ok {
		t.Fatalf("no revoke form in the row of %s", device)
	}
	id, _, _ := strings.Cut(rest, `"`)
	return id
}

// TestPasswordChangeLogsOutOtherDevices: a wrong current password changes
// nothing; the right one sets the new password and ends every other
// session of the user, keeping this one.
func TestPasswordChangeLogsOutOtherDevices(t *testing.T) {
	eachBackend(t, func(t *testing.T, dsn string) {
		a := startApp(t, dsn)
		laptop, phone := a.browserAs(uaFirefoxLinux), a.browserAs(uaSafariPhone)
		laptop.loginDemo()
		phone.loginDemo()

		r := laptop.post("/password", url.Values{"current": {"wrong password"}, "password": {"new-password-1"}})
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Your current password is not right.") {
			t.Fatalf("a wrong current password: %d %.300s", r.status, r.body)
		}
		if !phone.loggedIn() {
			t.Fatal("a failed password change logged the phone out")
		}
		if r := laptop.post("/password", url.Values{"current": {defaultDemoPassword}, "password": {"short"}}); r.status != http.StatusUnprocessableEntity {
			t.Fatalf("a too short new password: %d, want 422", r.status)
		}

		before := laptop.sessionCookie()
		r = laptop.post("/password", url.Values{"current": {defaultDemoPassword}, "password": {"new-password-1"}})
		mustContain(t, "after the password change", r.body, "Password changed. Logged out 1 other device.")
		if phone.loggedIn() || !laptop.loggedIn() {
			t.Fatal("the password change did not end exactly the other device's session")
		}
		if laptop.sessionCookie() == before || a.withCookie(before).loggedIn() {
			t.Fatal("the session's token from before the password change still logs in")
		}
		if r := a.browser().login(defaultDemoEmail, defaultDemoPassword); r.status != http.StatusUnauthorized {
			t.Fatalf("the old password still logs in: %d", r.status)
		}
		if r := a.browser().login(defaultDemoEmail, "new-password-1"); r.url != "/profile" {
			t.Fatalf("the new password does not log in: %s %d", r.url, r.status)
		}
	})
}

func TestDeviceSummary(t *testing.T) {
	for ua, want := range map[string]string{
		uaFirefoxLinux: "Firefox on Linux",
		uaSafariPhone:  "Safari on iPhone",
		uaChromeWin:    "Chrome on Windows",
		"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36": "Headless Chrome on Linux",
		"curl/8.5.0": "curl",
		"":           "Unknown browser",
	} {
		if got := deviceSummary(ua); got != want {
			t.Errorf("deviceSummary(%q) = %q, want %q", ua, got, want)
		}
	}
}
