package sqlitestore

import (
	"database/sql"
	"errors"
	"strings"

	"github.com/sessionsql/sessionsql"
	"github.com/sessionsql/sessionsql/internal/storecore"
	"github.com/sessionsql/sessionsql/store"
)

const pkg = "sqlitestore"

// Store is a SQLite session store. It implements scs.Store, scs.CtxStore,
// scs.IterableStore, scs.IterableCtxStore and store.Store. Create it with
// Open, New or NewWithConfig; it is safe for concurrent use.
type Store struct {
	writer *sql.DB // Commit, Delete, DeleteExpired
	reader *sql.DB // Find, All; the same handle as writer unless from Open
	owned  bool    // Close closes writer and reader (stores from Open)
	c      *storecore.Core
	d      *driver
}

var (
	_ store.Store      = (*Store)(nil)
	_ store.OwnerStore = (*Store)(nil)
)

// New returns a Store over db with every default: table "sessions", 8 MiB
// session limit, and expired sessions deleted in the background every 5
// minutes (call Close to stop that). Apply the schema to db first with
// migrations.Up(ctx, db, migrations.SQLite). The store never closes db.
//
// New never fails; given a nil db it returns a store whose every operation
// reports that error.
func New(db *sql.DB) *Store {
	s, err := NewWithConfig(db, Config{})
	if err != nil {
		return &Store{c: storecore.Broken(pkg, err)}
	}
	return s
}

// NewWithConfig returns a Store over db tuned by cfg (zero fields mean
// defaults; BusyTimeout, ReadConns and MmapSize apply to Open only). It
// fails when db is nil or cfg.TableName is not a valid table name. The
// store never closes db. Its own writes take turns, so they never wait for
// one another in SQLite's lock; give db a busy timeout for the app's other
// writers and other processes.
func NewWithConfig(db *sql.DB, cfg Config) (*Store, error) {
	if db == nil {
		return nil, errors.New("sqlitestore: db is nil; pass a *sql.DB opened with the \"sqlite\" driver, or use Open")
	}
	return newStore(db, db, nil, false, cfg)
}

// newStore builds a store reading through reader and writing through
// group (the single writer of a store from Open), or through writer
// directly when group is nil.
func newStore(writer, reader *sql.DB, group *groupWrites, owned bool, cfg Config) (*Store, error) {
	opts := storecore.Options{
		TableName:        cfg.TableName,
		CleanupInterval:  cfg.CleanupInterval,
		CleanupBatchSize: cfg.CleanupBatchSize,
		OnCleanup:        cfg.OnCleanup,
		Now:              cfg.Now,
		Logger:           cfg.Logger,
		MaxDataSize:      cfg.MaxDataSize,
		TouchThreshold:   cfg.TouchThreshold,
		Codec:            cfg.Codec,
		Owner:            cfg.Owner,
	}
	c, err := storecore.New(pkg, opts, schemaErrors)
	if err != nil {
		return nil, err
	}
	q := buildQueries(c.Table.Quoted())
	d := &driver{reader: reader, q: q, find: newStmt(reader, q.find), findWithExpiry: newStmt(reader, q.findWithExpiry)}
	if group != nil {
		d.writes = group
	} else {
		d.writes = newDirectWrites(writer, q, cfg.Owner != nil)
	}
	c.SetDriver(d, opts)
	return &Store{writer: writer, reader: reader, owned: owned, c: c, d: d}, nil
}

// Reaper returns the store's Reaper, for its Stats or a RunOnce. It runs
// in the background unless Config.CleanupInterval is negative; either way
// st.Reaper().RunOnce(ctx) deletes what is expired now. Never nil: for a
// store from New(nil) it never starts, and RunOnce reports New's error.
func (s *Store) Reaper() *sessionsql.Reaper { return s.c.Reaper() }

// Stats returns what the store has done since it was created: finds,
// commits, writes the touch threshold saved, deletes and errors.
func (s *Store) Stats() store.Stats { return s.c.Stats() }

// Close stops the background cleanup and waits for it; a store from Open
// then closes its database. A *sql.DB passed to New is never closed. Close
// is idempotent; afterwards every operation fails with an error matching
// store.ErrClosed.
func (s *Store) Close() error {
	return s.c.Close(func() error {
		if s.d == nil {
			return nil // a store from New(nil)
		}
		errs := []error{s.d.close()}
		if !s.owned {
			return errors.Join(errs...)
		}
		if s.reader != s.writer {
			errs = append(errs, s.reader.Close())
		}
		errs = append(errs, s.writer.Close())
		return errors.Join(errs...)
	})
}

// schemaErrors recognises the errors of a schema that needs the
// migrations, and says how to apply them.
var schemaErrors = storecore.SchemaErrors{
	NoTable: isNoSuchTable, NoColumn: isNoSuchColumn,
	Migrate: "sqlitestore.Open applies them; over a *sql.DB of your own, migrations.Up(ctx, db, migrations.SQLite)",
}

// isNoSuchTable recognises SQLite's "no such table" error. modernc reports
// it as a generic SQLITE_ERROR, so the message is all there is to go on.
func isNoSuchTable(err error) bool {
	return err != nil && strings.Contains(err.Error(), "no such table")
}

// isNoSuchColumn recognises SQLite's errors for a column a table older
// than migration 2 lacks: "no such column" when reading it, "has no column
// named" when inserting into it (see isNoSuchTable).
func isNoSuchColumn(err error) bool {
	return err != nil && (strings.Contains(err.Error(), "no such column") || strings.Contains(err.Error(), "has no column named"))
}
