package sqlitestore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/sessionsql/sessionsql/migrations"
)

// Migrate applies sessionsql's SQLite migrations to db, a *sql.DB of the
// "sqlite" driver you opened yourself, before you hand it to New: the
// one-line way to create or upgrade the schema at start-up. It is
// idempotent, keeps the rows of an existing scs sqlite3store table, and
// never closes db. Open does it by itself.
func Migrate(ctx context.Context, db *sql.DB) error {
	if db == nil {
		return errors.New("sqlitestore: migrate: db is nil")
	}
	return migrations.Up(ctx, db, migrations.SQLite)
}
