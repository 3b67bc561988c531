package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sort"
	"strings"
)

// The JSON API, for clients that are not browsers. Errors are
// {"error": "..."} with a fitting status.

func isAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeJSONError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// maxJSONBody bounds request bodies.
const maxJSONBody = 16 << 10

// readJSON decodes a request body into v: one JSON object (not null, not
// an array), nothing after it, no unknown fields.
func readJSON(w http.ResponseWriter, r *http.Request, v any) error {
	errFields := errors.New("the body must be a JSON object with the documented fields")
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxJSONBody))
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil || raw[0] != '{' {
		return errFields
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("the body must hold one JSON object")
	}
	fields := json.NewDecoder(bytes.NewReader(raw))
	fields.DisallowUnknownFields()
	if err := fields.Decode(v); err != nil {
		return errFields
	}
	return nil
}

// methods routes one API path by method and answers every other method
// with a JSON 405 that lists the allowed ones.
func methods(handlers map[string]http.HandlerFunc) http.HandlerFunc {
	allowed := make([]string, 0, len(handlers))
	for m := range handlers {
		allowed = append(allowed, m)
	}
	sort.Strings(allowed)
	return func(w http.ResponseWriter, r *http.Request) {
		if h, ok := handlers[r.Method]; ok {
			h(w, r)
			return
		}
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		writeJSONError(w, http.StatusMethodNotAllowed, "method not allowed; use "+strings.Join(allowed, " or "))
	}
}

func (a *App) apiRoutes(mux *http.ServeMux) {
	mux.HandleFunc("/api/login", methods(map[string]http.HandlerFunc{http.MethodPost: a.apiLogin}))
	mux.HandleFunc("/api/logout", methods(map[string]http.HandlerFunc{http.MethodPost: a.apiLogout}))
	mux.HandleFunc("/api/profile", methods(map[string]http.HandlerFunc{http.MethodGet: a.requireLogin(a.apiProfile)}))
	mux.HandleFunc("/api/items", methods(map[string]http.HandlerFunc{
		http.MethodGet:  a.requireLogin(a.apiItems),
		http.MethodPost: a.requireLogin(a.apiAddItem),
	}))
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeJSONError(w, http.StatusNotFound, "no such endpoint")
	})
}

func (a *App) apiLogin(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := readJSON(w, r, &body); err != nil {
		writeJSONError(w, http.StatusBadRequest, err.Error())
		return
	}
	user, status := a.login(r, body.Email, body.Password)
	if status != 0 {
		writeJSONError(w, status, loginMessage(status))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": user.ID, "email": user.Email})
}

func (a *App) apiLogout(w http.ResponseWriter, r *http.Request) {
	if err := a.logout(r); err != nil {
		a.log.Error("logout", "err", err)
		writeJSONError(w, http.StatusInternalServerError, "something went wrong")
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"logged_out": true})
}

func (a *App) apiProfile(w http.ResponseWriter, r *http.Request) {
	p, err := a.profileOf(r)
	if err != nil {
		a.log.Error("profile", "err", err)
		writeJSONError(w, http.StatusInternalServerError, "something went wrong")
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func (a *App) apiItems(w http.ResponseWriter, r *http.Request) {
	items := a.items(r)
	if items == nil {
		items = []string{}
	}
	writeJSON(w, http.StatusOK, map[string][]string{"items": items})
}

func (a *App) apiAddItem(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Name string `json:"name"`
	}
	if err := readJSON(w, r, &body); err != nil {
		writeJSONError(w, http.StatusBadRequest, err.Error())
		return
	}
	if err := a.addItemTo(r, body.Name); err != nil {
		writeJSONError(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusCreated, map[string][]string{"items": a.items(r)})
}
