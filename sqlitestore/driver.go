package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/sessionsql/sessionsql"
	"github.com/sessionsql/sessionsql/internal/sqlident"
)

// driver keeps sessions in one SQLite table through database/sql: the
// sessionsql.Driver of sqlitestore. It reads on the reader handle and
// writes through its writer. Expiry is INTEGER unix milliseconds.
type driver struct {
	reader *sql.DB
	table  sqlident.Name
	q      queries
	find   *stmt // prepared on first use: every request runs it
	writes *writer
	// release closes what the store opened itself (a store from Open:
	// its handles); nil for a store over the caller's *sql.DB.
	release func() error
}

var (
	_ sessionsql.OwnerDriver    = (*driver)(nil)
	_ sessionsql.ErrorExplainer = (*driver)(nil)
	_ sessionsql.GroupCounter   = (*driver)(nil)
)

func newDriver(reader *sql.DB, table sqlident.Name, q queries, w *writer, release func() error) *driver {
	return &driver{reader: reader, table: table, q: q, find: newStmt(reader, q.find), writes: w, release: release}
}

func (d *driver) Find(ctx context.Context, token string, now time.Time) ([]byte, time.Time, bool, error) {
	st, err := d.find.get(ctx)
	if err != nil {
		return nil, time.Time{}, false, err
	}
	var data []byte
	var expiry int64
	err = st.QueryRowContext(ctx, token, now.UnixMilli()).Scan(&data, &expiry)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, time.Time{}, false, nil
	}
	if err != nil {
		return nil, time.Time{}, false, err
	}
	return data, time.UnixMilli(expiry), true, nil
}

func (d *driver) Commit(ctx context.Context, token string, data []byte, expiry time.Time) (bool, error) {
	n, err := d.writes.exec(ctx, writeCommit, token, data, expiry.UnixMilli())
	return n > 0, err
}

func (d *driver) Delete(ctx context.Context, token string, now time.Time, grace time.Duration) error {
	_, err := d.writes.exec(ctx, writeDelete, token, now.UnixMilli(), grace.Milliseconds())
	return err
}

func (d *driver) All(ctx context.Context, now time.Time) (map[string][]byte, error) {
	rows, err := d.reader.QueryContext(ctx, d.q.all, now.UnixMilli())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	sessions := make(map[string][]byte)
	for rows.Next() {
		var token string
		var data []byte
		if err := rows.Scan(&token, &data); err != nil {
			return nil, err
		}
		if data == nil {
			data = []byte{}
		}
		sessions[token] = data
	}
	return sessions, rows.Err()
}

// DeleteExpired runs one DELETE, which is its own short transaction (or
// part of a group commit's); the expiry test inside it is evaluated at
// delete time.
func (d *driver) DeleteExpired(ctx context.Context, now time.Time, limit int) (int64, error) {
	if limit > 0 {
		return d.writes.exec(ctx, writeExpiredBatch, now.UnixMilli(), limit)
	}
	return d.writes.exec(ctx, writeExpiredAll, now.UnixMilli())
}

// Grouped is how many writes were committed in a transaction shared with
// others (group commit; stores from Open only).
func (d *driver) Grouped() int64 { return d.writes.grouped.Load() }

// Close waits for the writes in flight, fails those still queued with
// sessionsql.ErrClosed, and closes the statements and what Open opened.
func (d *driver) Close() error {
	errs := []error{d.writes.close(), d.find.close()}
	if d.release != nil {
		errs = append(errs, d.release())
	}
	return errors.Join(errs...)
}

// migrateHow says how this backend's users apply the migrations.
const migrateHow = "sqlitestore.Open applies them; over a *sql.DB of your own, sqlitestore.Migrate"

// Explain reports a missing table as sessionsql.ErrNoTable and a missing
// column as sessionsql.ErrOldSchema, saying what to do.
func (d *driver) Explain(err error) error {
	switch {
	case isNoSuchTable(err):
		return sessionsql.MissingTable(d.table.String(), migrateHow, err)
	case isNoSuchColumn(err):
		return sessionsql.MissingColumns(d.table.String(), migrateHow, err)
	}
	return err
}

// isNoSuchTable recognises SQLite's "no such table" error. modernc reports
// it as a generic SQLITE_ERROR, so the message is all there is to go on.
func isNoSuchTable(err error) bool {
	return err != nil && strings.Contains(err.Error(), "no such table")
}

// isNoSuchColumn recognises SQLite's errors for a column a table older
// than migration 2 lacks: "no such column" when reading it, "has no column
// named" when inserting into it.
func isNoSuchColumn(err error) bool {
	return err != nil && (strings.Contains(err.Error(), "no such column") || strings.Contains(err.Error(), "has no column named"))
}
