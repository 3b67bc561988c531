//go:build baseline && baselinepre

package main

import (
	"context"

	"github.com/alexedwards/scs/v2"
	"github.com/jackc/pgx/v5/pgxpool"
	basepg "github.com/sessionsql/baseline/postgresstore"
	basesqlite "github.com/sessionsql/baseline/sqlitestore"
)

// baselineRev is the revision baseline.sh copied the baseline from.
var baselineRev = "unknown"

// The baseline's stores, in the API before the redesign (f7aeebe): each
// backend's own Config and Store.
func init() {
	baseline.rev = baselineRev
	baseline.postgres = func(ctx context.Context, pool *pgxpool.Pool) (scs.Store, func(), error) {
		if err := basepg.Migrate(ctx, pool); err != nil {
			return nil, nil, err
		}
		st, err := basepg.NewWithConfig(pool, basepg.Config{CleanupInterval: -1})
		if err != nil {
			return nil, nil, err
		}
		return st, func() { st.Close() }, nil
	}
	baseline.sqlite = func(path string) (scs.Store, func(), error) {
		st, err := basesqlite.Open(path, basesqlite.Config{CleanupInterval: -1})
		if err != nil {
			return nil, nil, err
		}
		return st, func() { st.Close() }, nil
	}
}
