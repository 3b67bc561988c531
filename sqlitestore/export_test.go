package sqlitestore

import (
	"context"
	"database/sql"
	"log/slog"
)

// OwnerRowsQuery is the owner listing's SQL for table, for EXPLAIN.
func OwnerRowsQuery(table string) string { return buildQueries(table).ownerRows }

// Pragma reads a pragma on the writing connection of a store from Open and
// on one of its readers.
func Pragma(s *Store, name string) (writer, reader int64, err error) {
	conn := s.d.writes.(*groupWrites).conn
	if err = conn.QueryRowContext(context.Background(), "PRAGMA "+name).Scan(&writer); err != nil {
		return
	}
	err = s.reader.QueryRow("PRAGMA " + name).Scan(&reader)
	return
}

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

// ReaderStats is database/sql's count of a store's read connections.
func ReaderStats(s *Store) sql.DBStats { return s.reader.Stats() }
