// Command webapp is the main sessionsql example: a small web app whose
// sessions live in an embedded SQLite file by default, or in PostgreSQL with
// -db postgres://...
//
//	go run ./examples/webapp                 # SQLite file sessions.db
//	go run ./examples/webapp -db "$DATABASE_URL"
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"html"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/sessionsql/sessionsql/postgresstore"
	"github.com/sessionsql/sessionsql/sqlitestore"
	"github.com/sessionsql/sessionsql/store"
)

func main() {
	addr := flag.String("addr", envOr("ADDR", "localhost:8080"), "address to listen on (env ADDR)")
	db := flag.String("db", envOr("DATABASE_URL", "sessions.db"), "SQLite file, or a postgres:// URL (env DATABASE_URL)")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(*addr, *db, log); err != nil {
		log.Error("webapp stopped", "err", err)
		os.Exit(1)
	}
}

func envOr(key, fallback string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return fallback
}

func run(addr, dsn string, log *slog.Logger) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	st, where, closeDB, err := openStore(ctx, dsn, log)
	if err != nil {
		return err
	}
	defer closeDB()
	defer st.Close()

	sm := scs.New()
	sm.Store = st
	sm.Lifetime = 24 * time.Hour
	sm.IdleTimeout = 30 * time.Minute
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode

	srv := &http.Server{Addr: addr, Handler: sm.LoadAndSave(routes(sm)), ReadHeaderTimeout: 10 * time.Second}
	log.Info("webapp listening", "url", "http://"+addr, "sessions", where)
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// openStore opens the SQLite file or connects to PostgreSQL, migrates, and
// returns the store, a description of where sessions live, and a func that
// closes what it opened beside the store.
func openStore(ctx context.Context, dsn string, log *slog.Logger) (store.Store, string, func(), error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		pool, err := pgxpool.New(ctx, dsn)
		if err != nil {
			return nil, "", nil, err
		}
		if err := postgresstore.Migrate(ctx, pool); err != nil {
			pool.Close()
			return nil, "", nil, err
		}
		st, err := postgresstore.NewWithConfig(pool, postgresstore.Config{Logger: log})
		if err != nil {
			pool.Close()
			return nil, "", nil, err
		}
		return st, "PostgreSQL", pool.Close, nil
	}
	st, err := sqlitestore.Open(dsn, sqlitestore.Config{Logger: log})
	if err != nil {
		return nil, "", nil, err
	}
	return st, "SQLite file " + dsn, func() {}, nil
}

func routes(sm *scs.SessionManager) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		visits := sm.GetInt(r.Context(), "visits") + 1
		sm.Put(r.Context(), "visits", visits)
		note := sm.GetString(r.Context(), "note")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><title>sessionsql</title>
<h1>Visit %d</h1><p>Your note: %s</p>
<form method="post" action="/note"><input name="note"><button>Save</button></form>
<form method="post" action="/forget"><button>Forget me</button></form>`, visits, html.EscapeString(note))
	})
	mux.HandleFunc("POST /note", func(w http.ResponseWriter, r *http.Request) {
		sm.Put(r.Context(), "note", r.FormValue("note"))
		http.Redirect(w, r, "/", http.StatusSeeOther)
	})
	mux.HandleFunc("POST /forget", func(w http.ResponseWriter, r *http.Request) {
		if err := sm.Destroy(r.Context()); err != nil {
			http.Error(w, "could not end the session", http.StatusInternalServerError)
			return
		}
		http.Redirect(w, r, "/", http.StatusSeeOther)
	})
	return http.NewCrossOriginProtection().Handler(mux)
}
