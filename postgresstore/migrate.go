package postgresstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/sessionsql/sessionsql/migrations"
)

// Migrate applies sessionsql's PostgreSQL migrations to the database pool
// connects to: the one-line way to create or upgrade the schema at
// start-up. It is idempotent, safe to run from every instance at once and
// through a connection pooler in transaction mode (they wait for each other
// on a lock row, at most migrations.LockWait, then fail naming the holder),
// and keeps the rows of an existing scs sessions table.
//
// Migrate opens two connections of its own with pool's configuration and
// closes them before it returns; pool itself is neither used nor closed.
// They run in pgx's exec mode (or simple_protocol, when that is pool's), so
// that migrating works through a transaction pooler whatever pool's exec
// mode.
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	if pool == nil {
		return errors.New("postgresstore: migrate: pool is nil")
	}
	cfg := pool.Config()
	if cfg.ConnConfig.DefaultQueryExecMode != pgx.QueryExecModeSimpleProtocol {
		cfg.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeExec
	}
	cfg.MaxConns, cfg.MinConns, cfg.MinIdleConns = 2, 0, 0 // the migration lock's and the migration's
	own, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("postgresstore: migrate: %w", err)
	}
	defer own.Close()
	db := stdlib.OpenDBFromPool(own)
	defer db.Close()
	return PoolerError(migrations.Up(ctx, db, migrations.Postgres))
}
