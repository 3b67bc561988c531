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
// run from every instance at once (they wait on an advisory lock), keeps the
// rows of an existing scs sessions table, and never closes pool.
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	if pool == nil {
		return errors.New("postgresstore: migrate: pool is nil")
	}
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	return migrations.Up(ctx, db, migrations.Postgres)
}
