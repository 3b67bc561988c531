package postgresstore

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/sessionsql/sessionsql/migrations"
)

// Migrate applies sessionsql's PostgreSQL migrations over pool: the one-line
// way to create or upgrade the schema at start-up. It is idempotent, safe to
// run from every instance at once and through a connection pooler in
// transaction mode (they wait for each other on a lock row, at most
// migrations.LockWait, then fail naming the holder), keeps the rows of an
// existing scs sessions table, and never closes pool. It needs two of the
// pool's connections at once.
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	if pool == nil {
		return errors.New("postgresstore: migrate: pool is nil")
	}
	if pool.Config().MaxConns < 2 {
		return errors.New("postgresstore: migrate: the pool's MaxConns is 1, and migrating needs two connections at once (the migration lock's and the migration's): migrate over a pool of two or more")
	}
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	return migrations.Up(ctx, db, migrations.Postgres)
}
