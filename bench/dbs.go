package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/sessionsql/sessionsql/internal/pgtest"
)

// postgres is one durable throwaway PostgreSQL cluster for a whole run.
type postgres struct {
	srv   *pgtest.Server
	admin *pgxpool.Pool
	url   func(db string) string
}

// startPostgres starts the run's cluster: durable unless asked otherwise,
// with sharedBuffers of buffer cache (PostgreSQL's default, 128MB, holds
// none of the 10^6-row tables a run builds, seven at a time; a production
// server sizes it to its working set).
func startPostgres(ctx context.Context, durable bool, sharedBuffers string) (*postgres, error) {
	if url := os.Getenv(pgtest.EnvURL); url != "" {
		return nil, fmt.Errorf("benchmarks start their own durable cluster; unset %s", pgtest.EnvURL)
	}
	srv, err := pgtest.Start(ctx, pgtest.Options{Durable: durable, Settings: []string{"shared_buffers=" + sharedBuffers}})
	if err != nil {
		return nil, err
	}
	admin, err := pgxpool.New(ctx, srv.URL("postgres"))
	if err != nil {
		srv.Stop()
		return nil, err
	}
	return &postgres{srv: srv, admin: admin, url: srv.URL}, nil
}

func (p *postgres) version(ctx context.Context) string {
	var v string
	_ = p.admin.QueryRow(ctx, "SHOW server_version").Scan(&v)
	return "PostgreSQL " + v
}

func (p *postgres) close() {
	p.admin.Close()
	p.srv.Stop()
}

// freshDB creates a new database and returns a pool on it, sized for
// callers concurrent users, and a func that drops it.
func (p *postgres) freshDB(ctx context.Context, callers int) (*pgxpool.Pool, func(), error) {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	name := "bench_" + hex.EncodeToString(b)
	if _, err := p.admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return nil, nil, err
	}
	cfg, err := pgxpool.ParseConfig(p.url(name))
	if err != nil {
		return nil, nil, err
	}
	cfg.MaxConns = int32(callers + 4)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	drop := func() {
		pool.Close()
		_, _ = p.admin.Exec(context.Background(), "DROP DATABASE "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
	}
	return pool, drop, nil
}

// tempSQLite returns a path for a new SQLite file and a func removing it.
func tempSQLite() (string, func(), error) {
	dir, err := os.MkdirTemp("", "sessionsql-bench-")
	if err != nil {
		return "", nil, err
	}
	return filepath.Join(dir, "sessions.db"), func() { os.RemoveAll(dir) }, nil
}
