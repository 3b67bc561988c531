//go:build baseline

package main

import (
	"context"

	"github.com/alexedwards/scs/v2"
	"github.com/jackc/pgx/v5/pgxpool"
)

// baselineRev is the revision baseline.sh copied the baseline from.
var baselineRev = "unknown"

// baselineStore is what either API's constructors return.
type baselineStore interface {
	scs.Store
	Close() error
}

// setBaseline makes the baseline's stores with its backends' Migrate,
// NewWithConfig and Open, each given the Config (cleanup off) of the API
// the revision has.
func setBaseline[P, S baselineStore, PC, SC any](
	migrate func(context.Context, *pgxpool.Pool) error,
	newPostgres func(*pgxpool.Pool, PC) (P, error), pgCfg PC,
	openSQLite func(string, SC) (S, error), sqliteCfg SC,
) {
	baseline.rev = baselineRev
	baseline.postgres = func(ctx context.Context, pool *pgxpool.Pool) (scs.Store, func(), error) {
		if err := migrate(ctx, pool); err != nil {
			return nil, nil, err
		}
		st, err := newPostgres(pool, pgCfg)
		if err != nil {
			return nil, nil, err
		}
		return st, func() { st.Close() }, nil
	}
	baseline.sqlite = func(path string) (scs.Store, func(), error) {
		st, err := openSQLite(path, sqliteCfg)
		if err != nil {
			return nil, nil, err
		}
		return st, func() { st.Close() }, nil
	}
}
