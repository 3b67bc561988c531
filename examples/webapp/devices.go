package main

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sessionsql/sessionsql"
)

// deviceSummary turns a User-Agent header into the few words the "Your
// sessions" page shows, such as "Firefox on Linux". It keeps no more than
// that: the full header is not needed to recognise a device.
func deviceSummary(ua string) string {
	browser := firstOf(ua, "Unknown browser",
		"Edg/", "Edge", "OPR/", "Opera", "Firefox/", "Firefox", "Chromium/", "Chromium",
		"HeadlessChrome/", "Headless Chrome", "Chrome/", "Chrome", "Safari/", "Safari",
		"curl/", "curl", "Go-http-client/", "Go client")
	system := firstOf(ua, "",
		"Android", "Android", "iPhone", "iPhone", "iPad", "iPad", "Windows", "Windows",
		"Mac OS X", "macOS", "CrOS", "ChromeOS", "Linux", "Linux")
	if system == "" {
		return browser
	}
	return browser + " on " + system
}

// firstOf returns the name paired with the first marker ua contains, from
// pairs of (marker, name); fallback when none matches.
func firstOf(ua, fallback string, pairs ...string) string {
	for i := 0; i+1 < len(pairs); i += 2 {
		if strings.Contains(ua, pairs[i]) {
			return pairs[i+1]
		}
	}
	return fallback
}

// deviceView is one row of the "Your sessions" page.
type deviceView struct {
	sessionsql.SessionInfo
	Current bool
}

// owner is the owner ID the store indexes the current user's sessions
// under: the user id as GobOwner writes it.
func (a *App) owner(r *http.Request) string { return strconv.FormatInt(a.currentUserID(r), 10) }

func (a *App) devices(r *http.Request) ([]deviceView, error) {
	infos, err := a.backend.sessions.OwnerSessions(r.Context(), a.owner(r))
	if err != nil {
		return nil, err
	}
	current := sessionsql.CurrentSessionID(a.sm, r.Context())
	views := make([]deviceView, len(infos))
	for i, in := range infos {
		views[i] = deviceView{SessionInfo: in, Current: in.ID == current}
	}
	return views, nil
}

func (a *App) sessionsPage(w http.ResponseWriter, r *http.Request) {
	views, err := a.devices(r)
	if err != nil {
		a.serverError(w, r, "list sessions", err)
		return
	}
	a.render(w, r, http.StatusOK, "sessions", pageData{Title: "Your sessions", Data: views})
}

// revokeOthers is "log out other devices": every session of the user but
// this one ends.
func (a *App) revokeOthers(w http.ResponseWriter, r *http.Request) {
	n, err := a.backend.sessions.RevokeOwner(r.Context(), a.owner(r), sessionsql.CurrentSessionID(a.sm, r.Context()))
	if err != nil {
		a.serverError(w, r, "revoke sessions", err)
		return
	}
	a.sm.Put(r.Context(), keyFlash, "Logged out "+plural(n, "other device")+".")
	http.Redirect(w, r, "/sessions", http.StatusSeeOther)
}

// revokeOne ends one of the user's other sessions.
func (a *App) revokeOne(w http.ResponseWriter, r *http.Request) {
	ok, err := a.backend.sessions.RevokeSession(r.Context(), a.owner(r), r.PostFormValue("id"))
	if err != nil {
		a.serverError(w, r, "revoke session", err)
		return
	}
	if ok {
		a.sm.Put(r.Context(), keyFlash, "That device is logged out.")
	}
	http.Redirect(w, r, "/sessions", http.StatusSeeOther)
}

func (a *App) passwordForm(w http.ResponseWriter, r *http.Request) {
	a.render(w, r, http.StatusOK, "password", pageData{Title: "Change password"})
}

// changePassword sets a new password and logs out every other device: a
// password change is what a user does when they fear someone else is in.
// This session goes on under a new token (RenewToken deleted the old one,
// and the new one is written when the response is), so every session the
// user had before is revoked.
func (a *App) changePassword(w http.ResponseWriter, r *http.Request) {
	next := r.PostFormValue("password")
	fail := func(msg string) {
		a.render(w, r, http.StatusUnprocessableEntity, "password", pageData{Title: "Change password", Error: msg})
	}
	email := a.sm.GetString(r.Context(), keyEmail)
	if err := validateSignup(email, next); err != nil {
		fail(upperFirst(err.Error()) + ".")
		return
	}
	// Guessing the current password from a stolen session is password
	// guessing too: the login limiter counts it.
	account := limitKey{"email", normalizeEmail(email)}
	if !a.limiter.allowed(account) {
		fail(loginMessage(http.StatusTooManyRequests))
		return
	}
	switch err := a.users.setPassword(r.Context(), a.currentUserID(r), r.PostFormValue("current"), next); {
	case errors.Is(err, errBadCredentials):
		a.limiter.failed(account)
		fail("Your current password is not right.")
		return
	case err != nil:
		a.serverError(w, r, "change password", err)
		return
	}
	a.limiter.succeeded(account)
	// A new token for this session too, as at login: whoever may have
	// copied the old one is out with the other devices.
	if err := a.sm.RenewToken(r.Context()); err != nil {
		a.serverError(w, r, "renew token after a password change", err)
		return
	}
	n, err := a.backend.sessions.RevokeOwner(r.Context(), a.owner(r), "")
	if err != nil {
		a.serverError(w, r, "revoke sessions after a password change", err)
		return
	}
	a.sm.Put(r.Context(), keyFlash, "Password changed. Logged out "+plural(n, "other device")+".")
	http.Redirect(w, r, "/sessions", http.StatusSeeOther)
}

func plural(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.FormatInt(n, 10) + " " + noun + "s"
}

// serverError logs err and answers with a generic page.
func (a *App) serverError(w http.ResponseWriter, r *http.Request, what string, err error) {
	a.log.Error(what, "err", err, "path", r.URL.Path)
	http.Error(w, "Something went wrong. Please try again.", http.StatusInternalServerError)
}

// sessionAge is how the sessions page shows a time.
func sessionAge(t time.Time) string {
	if t.IsZero() {
		return "unknown"
	}
	return t.Format("2006-01-02 15:04 MST")
}
