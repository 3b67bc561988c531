package main

import (
	"context"
	"embed"
	"encoding/gob"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/alexedwards/scs/v2"
)

// Session keys.
const (
	keyUserID  = "user_id"
	keyEmail   = "email"
	keyLoginAt = "login_at"
	keyItems   = "items"
	keyDevice  = "device"
	keyFlash   = "flash"
)

// scs's gob codec stores session values as interfaces; gob must know
// every concrete type that is not one of its basic ones.
func init() { gob.Register(time.Time{}) }

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// App is the web app: its storage, its session manager and its pages.
type App struct {
	cfg     Config
	log     *slog.Logger
	backend *backend
	users   *users
	sm      *scs.SessionManager
	limiter *loginLimiter
	pages   map[string]*template.Template
}

// newApp opens the database (applying the migrations), makes the demo
// account on first run and sets up sessions.
func newApp(ctx context.Context, cfg Config, log *slog.Logger) (*App, error) {
	b, err := openBackend(ctx, cfg.DB, cfg.Postgres, log)
	if err != nil {
		return nil, err
	}
	us, err := newUsers(ctx, b.users, b.dialect, cfg.bcryptCost())
	if err != nil {
		b.close()
		return nil, err
	}
	if cfg.DemoEmail != "" {
		if err := us.ensure(ctx, cfg.DemoEmail, cfg.DemoPassword, cfg.now()); err != nil {
			b.close()
			return nil, fmt.Errorf("demo account: %w", err)
		}
	}
	pages, err := parsePages()
	if err != nil {
		b.close()
		return nil, err
	}
	a := &App{cfg: cfg, log: log, backend: b, users: us, limiter: newLoginLimiter(cfg.now), pages: pages}
	a.sm = a.sessionManager()
	return a, nil
}

// sessionManager is scs configured the way a careful team would: short
// enough sessions, cookies scripts cannot read and other sites do not send
// on their requests, Secure under TLS.
func (a *App) sessionManager() *scs.SessionManager {
	sm := scs.New()
	sm.Store = a.backend.sessions
	sm.HashTokenInStore = true     // the table holds no usable cookie (SECURITY.md)
	sm.Lifetime = 24 * time.Hour   // log in again at least once a day
	sm.IdleTimeout = 2 * time.Hour // or after two idle hours
	sm.Cookie.Name = "session"
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = a.cfg.SecureCookies
	sm.Cookie.Persist = true
	sm.ErrorFunc = func(w http.ResponseWriter, r *http.Request, err error) {
		a.log.Error("session error", "err", err, "path", r.URL.Path)
		http.Error(w, "Something went wrong. Please try again.", http.StatusInternalServerError)
	}
	return sm
}

// Handler is the whole app: cross-origin protection on every
// state-changing request, then sessions, then the routes.
func (a *App) Handler() http.Handler {
	mux := http.NewServeMux()
	a.pageRoutes(mux)
	a.apiRoutes(mux)
	var h http.Handler = mux
	if a.cfg.handling != nil {
		h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			a.cfg.handling()
			mux.ServeHTTP(w, r)
		})
	}
	return securityHeaders(http.NewCrossOriginProtection().Handler(limitForms(a.sm.LoadAndSave(h))))
}

// maxFormBody bounds the body of a form post, as maxJSONBody does the
// API's.
const maxFormBody = 16 << 10

// limitForms reads a form post's body, at most maxFormBody of it, before
// anything else does, and answers a larger one with 413 without reading
// the rest.
func limitForms(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && !isAPI(r) {
			r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
			if err := r.ParseForm(); err != nil {
				var tooLarge *http.MaxBytesError
				if errors.As(err, &tooLarge) {
					http.Error(w, "The form is too large.", http.StatusRequestEntityTooLarge)
					return
				}
				http.Error(w, "The form could not be read.", http.StatusBadRequest)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// Close releases the store (stopping its cleanup) and the database.
func (a *App) Close() { a.backend.close() }

// Where says where the app keeps its data, for the start-up log.
func (a *App) Where() string { return a.backend.where }

// securityHeaders sets the headers every response should carry.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Content-Security-Policy", "default-src 'self'")
		next.ServeHTTP(w, r)
	})
}

// currentUserID is the logged-in account's id, 0 when nobody is.
func (a *App) currentUserID(r *http.Request) int64 {
	return a.sm.GetInt64(r.Context(), keyUserID)
}

// requireLogin lets a request through to next only with a logged-in
// session: the Go counterpart of a FastAPI session dependency. Pages
// redirect to the login form, the API answers 401.
func (a *App) requireLogin(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if a.currentUserID(r) != 0 {
			next(w, r)
			return
		}
		if isAPI(r) {
			writeJSONError(w, http.StatusUnauthorized, "not logged in")
			return
		}
		http.Redirect(w, r, "/login", http.StatusSeeOther)
	}
}

// clientAddr is the address a request came from, for the login limiter.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// login checks credentials and, if they are right, turns the session into
// a logged-in one under a new token (so a token planted before login is
// worth nothing). It returns the HTTP status for a failure, 0 on success.
func (a *App) login(r *http.Request, email, password string) (User, int) {
	ctx := r.Context()
	if len(email) > maxEmailLen {
		return User{}, http.StatusUnauthorized // no account has one: not worth a key in the limiter
	}
	keys := []limitKey{{"email", normalizeEmail(email)}, {"addr", clientAddr(r)}}
	if !a.limiter.allowed(keys...) {
		return User{}, http.StatusTooManyRequests
	}
	user, err := a.users.authenticate(ctx, email, password)
	if err != nil {
		if err == errBadCredentials {
			a.limiter.failed(keys...)
			return User{}, http.StatusUnauthorized
		}
		a.log.Error("login", "err", err)
		return User{}, http.StatusInternalServerError
	}
	a.limiter.succeeded(keys[0])
	if err := a.sm.RenewToken(ctx); err != nil {
		a.log.Error("renew token at login", "err", err)
		return User{}, http.StatusInternalServerError
	}
	a.sm.Put(ctx, keyUserID, user.ID)
	a.sm.Put(ctx, keyEmail, user.Email)
	a.sm.Put(ctx, keyLoginAt, a.cfg.now())
	a.sm.Put(ctx, keyDevice, deviceSummary(r.UserAgent()))
	return user, 0
}

// logout ends the logged-in session: the old token is deleted from the
// store and the browser gets a fresh, empty session.
func (a *App) logout(r *http.Request) error {
	ctx := r.Context()
	if err := a.sm.RenewToken(ctx); err != nil {
		return err
	}
	return a.sm.Clear(ctx)
}

// loginMessage is what a failed login says: never which part was wrong.
func loginMessage(status int) string {
	switch status {
	case http.StatusTooManyRequests:
		return "Too many failed attempts. Please wait a few minutes and try again."
	case http.StatusUnauthorized:
		return "Invalid email or password."
	default:
		return "Something went wrong. Please try again."
	}
}

func (a *App) items(r *http.Request) []string {
	items, _ := a.sm.Get(r.Context(), keyItems).([]string)
	return items
}
