package sqlitestore

import (
	"context"
	"database/sql"
	"log/slog"

	"github.com/sessionsql/sessionsql"
)

// OwnerRowsQuery is the owner listing's SQL for table, for EXPLAIN.
func OwnerRowsQuery(table string) string { return buildQueries(table).ownerRows }

// Inside is a store from Open with what the tests look at inside it.
type Inside struct {
	*sessionsql.Store
	d *driver
}

// OpenInside is Open, keeping hold of the store's insides.
func OpenInside(path string, cfg Config) (Inside, error) {
	st, d, err := open(path, cfg)
	return Inside{st, d}, err
}

// Pragma reads a pragma on the writing connection and on one of the
// readers.
func (in Inside) Pragma(name string) (writer, reader int64, err error) {
	if err = in.d.writes.conn.QueryRowContext(context.Background(), "PRAGMA "+name).Scan(&writer); err != nil {
		return
	}
	err = in.d.reader.QueryRow("PRAGMA " + name).Scan(&reader)
	return
}

// ReaderStats is database/sql's count of the store's read connections.
func (in Inside) ReaderStats() sql.DBStats { return in.d.reader.Stats() }

// OnCheckpoint makes f see the outcome of every background checkpoint of
// the stores Open opens from now on, until the returned func undoes it.
func OnCheckpoint(f func(error)) (undo func()) {
	checkpointHook = f
	return func() { checkpointHook = nil }
}

// StartCheckpointer starts a checkpointer over db, for tests of its
// failures.
func StartCheckpointer(db *sql.DB, logger *slog.Logger, checkpointed func(error)) (written func(), stop func() error) {
	c := startCheckpointer(db, logger, checkpointed)
	return c.written, c.close
}
