package main

import (
	"errors"
	"html/template"
	"io/fs"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sessionsql/sessionsql/metrics"
)

// maxItems and maxItemLen keep a session small.
const (
	maxItems   = 50
	maxItemLen = 100
)

// parsePages reads every page template, each with the shared layout.
func parsePages() (map[string]*template.Template, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	funcs := template.FuncMap{
		"when": func(t time.Time) string { return t.Format("2006-01-02 15:04:05 MST") },
		"age":  sessionAge,
	}
	pages := map[string]*template.Template{}
	for _, name := range names {
		page := strings.TrimSuffix(strings.TrimPrefix(name, "templates/"), ".html")
		if page == "layout" {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", name)
		if err != nil {
			return nil, err
		}
		pages[page] = t
	}
	return pages, nil
}

// pageData is what every page template gets.
type pageData struct {
	Title    string
	LoggedIn bool
	Email    string
	Flash    string
	Error    string
	Form     map[string]string
	Data     any
}

func (a *App) render(w http.ResponseWriter, r *http.Request, status int, page string, d pageData) {
	d.LoggedIn = a.currentUserID(r) != 0
	d.Email = a.sm.GetString(r.Context(), keyEmail)
	d.Flash = a.sm.PopString(r.Context(), keyFlash)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := a.pages[page].Execute(w, d); err != nil {
		a.log.Error("render", "page", page, "err", err)
	}
}

func (a *App) pageRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", a.home)
	mux.HandleFunc("GET /signup", a.signupForm)
	mux.HandleFunc("POST /signup", a.signup)
	mux.HandleFunc("GET /login", a.loginForm)
	mux.HandleFunc("POST /login", a.loginPost)
	mux.HandleFunc("POST /logout", a.logoutPost)
	mux.HandleFunc("GET /profile", a.requireLogin(a.profile))
	mux.HandleFunc("GET /items", a.requireLogin(a.itemsPage))
	mux.HandleFunc("POST /items", a.requireLogin(a.addItem))
	mux.HandleFunc("POST /items/remove", a.requireLogin(a.removeItem))
	mux.HandleFunc("GET /sessions", a.requireLogin(a.sessionsPage))
	mux.HandleFunc("POST /sessions/others", a.requireLogin(a.revokeOthers))
	mux.HandleFunc("POST /sessions/revoke", a.requireLogin(a.revokeOne))
	mux.HandleFunc("GET /password", a.requireLogin(a.passwordForm))
	mux.HandleFunc("POST /password", a.requireLogin(a.changePassword))
	mux.Handle("GET /static/", http.FileServerFS(staticFS))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })
	// The session store's numbers for Prometheus. A real deployment serves
	// this on an internal port, or behind authentication.
	mux.Handle("GET /metrics", metrics.Handler(metrics.Source{Name: "sessions", Store: a.backend.sessions}))
}

func (a *App) home(w http.ResponseWriter, r *http.Request) {
	a.render(w, r, http.StatusOK, "home", pageData{Title: "Home"})
}

func (a *App) signupForm(w http.ResponseWriter, r *http.Request) {
	a.render(w, r, http.StatusOK, "signup", pageData{Title: "Sign up"})
}

func (a *App) signup(w http.ResponseWriter, r *http.Request) {
	email, password := r.PostFormValue("email"), r.PostFormValue("password")
	_, err := a.users.create(r.Context(), email, password, a.cfg.now())
	if err != nil {
		msg := err.Error()
		if !errors.Is(err, errEmailTaken) && validateSignup(normalizeEmail(email), password) == nil {
			a.log.Error("signup", "err", err)
			msg = "Something went wrong. Please try again."
		}
		a.render(w, r, http.StatusUnprocessableEntity, "signup", pageData{Title: "Sign up",
			Error: upperFirst(msg) + ".", Form: map[string]string{"email": email}})
		return
	}
	if _, status := a.login(r, email, password); status != 0 {
		a.render(w, r, status, "login", pageData{Title: "Log in", Error: loginMessage(status)})
		return
	}
	a.sm.Put(r.Context(), keyFlash, "Welcome! Your account is ready.")
	http.Redirect(w, r, "/profile", http.StatusSeeOther)
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func (a *App) loginForm(w http.ResponseWriter, r *http.Request) {
	if a.currentUserID(r) != 0 {
		http.Redirect(w, r, "/profile", http.StatusSeeOther)
		return
	}
	a.render(w, r, http.StatusOK, "login", pageData{Title: "Log in"})
}

func (a *App) loginPost(w http.ResponseWriter, r *http.Request) {
	email := r.PostFormValue("email")
	if _, status := a.login(r, email, r.PostFormValue("password")); status != 0 {
		a.render(w, r, status, "login", pageData{Title: "Log in", Error: loginMessage(status),
			Form: map[string]string{"email": email}})
		return
	}
	http.Redirect(w, r, "/profile", http.StatusSeeOther)
}

func (a *App) logoutPost(w http.ResponseWriter, r *http.Request) {
	if err := a.logout(r); err != nil {
		a.log.Error("logout", "err", err)
		http.Error(w, "Something went wrong. Please try again.", http.StatusInternalServerError)
		return
	}
	a.sm.Put(r.Context(), keyFlash, "You have been logged out.")
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// profileView is what the profile page and the API show of a session.
type profileView struct {
	ID             int64     `json:"id"`
	Email          string    `json:"email"`
	AccountCreated time.Time `json:"account_created"`
	SessionStarted time.Time `json:"session_started"`
	SessionExpires time.Time `json:"session_expires"`
	Items          int       `json:"items"`
}

func (a *App) profileOf(r *http.Request) (profileView, error) {
	user, err := a.users.byID(r.Context(), a.currentUserID(r))
	if err != nil {
		return profileView{}, err
	}
	return profileView{
		ID: user.ID, Email: user.Email, AccountCreated: user.Created,
		SessionStarted: a.sm.GetTime(r.Context(), keyLoginAt),
		SessionExpires: a.sm.Deadline(r.Context()),
		Items:          len(a.items(r)),
	}, nil
}

func (a *App) profile(w http.ResponseWriter, r *http.Request) {
	p, err := a.profileOf(r)
	if err != nil {
		a.log.Error("profile", "err", err)
		http.Error(w, "Something went wrong. Please try again.", http.StatusInternalServerError)
		return
	}
	a.render(w, r, http.StatusOK, "profile", pageData{Title: "Profile", Data: p})
}

func (a *App) itemsPage(w http.ResponseWriter, r *http.Request) {
	a.render(w, r, http.StatusOK, "items", pageData{Title: "Items", Data: a.items(r)})
}

// addItemTo validates name and appends it to the session's list.
func (a *App) addItemTo(r *http.Request, name string) error {
	name = strings.TrimSpace(name)
	switch items := a.items(r); {
	case name == "":
		return errors.New("an item needs a name")
	case len(name) > maxItemLen:
		return errors.New("item names are at most 100 characters")
	case len(items) >= maxItems:
		return errors.New("the list holds at most 50 items")
	default:
		a.sm.Put(r.Context(), keyItems, append(items, name))
		return nil
	}
}

func (a *App) addItem(w http.ResponseWriter, r *http.Request) {
	if err := a.addItemTo(r, r.PostFormValue("name")); err != nil {
		a.render(w, r, http.StatusUnprocessableEntity, "items", pageData{Title: "Items", Error: upperFirst(err.Error()) + ".", Data: a.items(r)})
		return
	}
	http.Redirect(w, r, "/items", http.StatusSeeOther)
}

func (a *App) removeItem(w http.ResponseWriter, r *http.Request) {
	items := a.items(r)
	i, err := strconv.Atoi(r.PostFormValue("index"))
	if err != nil || i < 0 || i >= len(items) {
		a.render(w, r, http.StatusBadRequest, "items", pageData{Title: "Items", Error: "That item is not on the list.", Data: items})
		return
	}
	a.sm.Put(r.Context(), keyItems, append(items[:i:i], items[i+1:]...))
	http.Redirect(w, r, "/items", http.StatusSeeOther)
}
