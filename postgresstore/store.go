package postgresstore

import (
	"errors"
	"runtime"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/sessionsql/sessionsql"
	"github.com/sessionsql/sessionsql/internal/storecore"
	"github.com/sessionsql/sessionsql/store"
)

const pkg = "postgresstore"

// Store is a PostgreSQL session store. It implements scs.Store,
// scs.CtxStore, scs.IterableStore, scs.IterableCtxStore and store.Store.
// Create it with New or NewWithConfig; it is safe for concurrent use.
type Store struct {
	c *storecore.Core
	d *driver // nil for a store from New(nil)
}

var (
	_ store.Store      = (*Store)(nil)
	_ store.OwnerStore = (*Store)(nil)
)

// New returns a Store over pool with every default: table "sessions", 8 MiB
// session limit, and expired sessions deleted in the background every 5
// minutes (call Close to stop that). Apply the schema first with Migrate.
//
// New never fails; given a nil pool it returns a store whose every
// operation reports that error.
func New(pool *pgxpool.Pool) *Store {
	s, err := NewWithConfig(pool, Config{})
	if err != nil {
		return &Store{c: storecore.Broken(pkg, err)}
	}
	return s
}

// NewWithConfig returns a Store over pool tuned by cfg (zero fields mean
// defaults). It fails when pool is nil or cfg.TableName is not a valid
// table name. The store never closes pool.
func NewWithConfig(pool *pgxpool.Pool, cfg Config) (*Store, error) {
	if pool == nil {
		return nil, errors.New("postgresstore: pool is nil; pass the *pgxpool.Pool from pgxpool.New")
	}
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
	quoted := c.Table.Quoted()
	slots := cfg.Concurrency
	if slots == 0 {
		slots = max(2, min(2*runtime.GOMAXPROCS(0), int(pool.Config().MaxConns)))
	}
	d := newDriver(pool, buildQueries(quoted, cfg.AsyncCommit), quoted, cfg.Owner != nil, slots)
	c.SetDriver(d, opts)
	return &Store{c: c, d: d}, nil
}

// Reaper returns the store's Reaper, for its Stats or a RunOnce. It runs
// in the background unless Config.CleanupInterval is negative; either way
// st.Reaper().RunOnce(ctx) deletes what is expired now. Never nil: for a
// store from New(nil) it never starts, and RunOnce reports New's error.
func (s *Store) Reaper() *sessionsql.Reaper { return s.c.Reaper() }

// Stats returns what the store has done since it was created: finds,
// commits, writes the touch threshold saved, deletes and errors.
func (s *Store) Stats() store.Stats { return s.c.Stats() }

// Close stops the background cleanup and waits for it. It never closes the
// pool. Close is idempotent and returns nil; afterwards every operation
// fails with an error matching store.ErrClosed.
func (s *Store) Close() error { return s.c.Close(nil) }

// schemaErrors recognises the errors of a schema that needs the
// migrations, and says how to apply them.
var schemaErrors = storecore.SchemaErrors{
	NoTable: isUndefinedTable, NoColumn: isUndefinedColumn,
	Migrate: "postgresstore.Migrate, or the sessionsql command's migrate up",
}

// isUndefinedTable recognises SQLSTATE 42P01, "relation does not exist".
func isUndefinedTable(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "42P01"
}

// isUndefinedColumn recognises SQLSTATE 42703, "column does not exist".
func isUndefinedColumn(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "42703"
}
