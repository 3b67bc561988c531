// Command webapp is the main sessionsql example: a small web app with
// accounts, login and logout, a profile page and a per-session item list,
// and a JSON API beside the pages. Sessions and users live in one embedded
// SQLite file by default; give it a postgres:// URL to run on PostgreSQL.
//
//	go run ./examples/webapp                      # SQLite file webapp.db
//	go run ./examples/webapp -db "$DATABASE_URL"  # PostgreSQL
//
// It prints where its data lives and how to log in with the demo account.
// SIGINT or SIGTERM shut it down gracefully: it stops accepting, finishes
// the requests in flight, stops the session cleanup and closes the
// database.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	cfg, err := configFromFlags(os.Args[1:], os.Stderr)
	if err != nil {
		if !errors.Is(err, errFlagsPrinted) {
			fmt.Fprintln(os.Stderr, "webapp:", err)
		}
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg, log, nil); err != nil {
		log.Error("webapp stopped", "err", err)
		os.Exit(1)
	}
}

// shutdownGrace is how long in-flight requests get to finish at shutdown.
const shutdownGrace = 10 * time.Second

// run serves the app until ctx ends, then shuts down gracefully. ready,
// if not nil, receives the listening address once requests are accepted.
func run(ctx context.Context, cfg Config, log *slog.Logger, ready chan<- string) error {
	app, err := newApp(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer app.Close() // after the server: stops the session cleanup, closes the database

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           app.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		MaxHeaderBytes:    64 << 10, // cookies and all; Go's default is 1 MiB
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	url := "http://" + ln.Addr().String()
	log.Info("webapp listening", "url", url, "data", app.Where())
	if cfg.DemoEmail != "" {
		log.Info(fmt.Sprintf("log in at %s/login as %s with password %q", url, cfg.DemoEmail, cfg.DemoPassword))
	}
	if ready != nil {
		ready <- ln.Addr().String()
	}

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing requests in flight")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("shut down cleanly")
	return nil
}
