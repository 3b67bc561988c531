package sqlitestore

import (
	"database/sql"
	"fmt"
	"time"

	"github.com/sessionsql/sessionsql"
	"github.com/sessionsql/sessionsql/internal/sqlident"
)

// Config tunes a SQLite store: the Config every store shares, and what
// only SQLite has. The zero Config means every default.
type Config struct {
	sessionsql.Config

	// BusyTimeout is how long a connection Open opens waits for a lock
	// another process holds before failing. Defaults to 5 seconds.
	BusyTimeout time.Duration

	// MmapSize is how many bytes of the file each connection Open opens
	// reads through memory mapping instead of a read call per page: a Find
	// on a table larger than SQLite's page cache then costs about what it
	// costs on a small one. It takes address space, not memory; like any
	// mapped file, a failing disk stops the process instead of failing the
	// Find. A negative value turns mapping off. Defaults to
	// DefaultMmapSize.
	MmapSize int64

	// ReadConns is the most read-only connections Open keeps for Find and
	// All; a read beyond them waits for one. Defaults to 4 × GOMAXPROCS,
	// within 16 and 64.
	ReadConns int
}

// New returns a store over db, a *sql.DB of the "sqlite" driver that you
// opened (to share one file with your app's tables, say), with every
// default. Apply the schema to db first with Migrate, and give it a busy
// timeout. The store never closes
// db. A nil db is a programming error: New panics.
func New(db *sql.DB) *sessionsql.Store {
	st, err := NewWithConfig(db, Config{})
	if err != nil {
		panic(err) // unreachable: the zero Config is valid
	}
	return st
}

// NewWithConfig returns a store over db tuned by cfg (BusyTimeout,
// MmapSize and ReadConns apply to Open only). It fails when cfg.TableName
// is not a valid table name. The store's writes take turns, so they never
// wait for one another in SQLite's lock. A nil db is a programming error:
// NewWithConfig panics.
func NewWithConfig(db *sql.DB, cfg Config) (*sessionsql.Store, error) {
	if db == nil {
		panic(`sqlitestore: the *sql.DB is nil; pass one opened with the "sqlite" driver, or use Open`)
	}
	shared := cfg.Config.WithDefaults()
	table, err := sqlident.Parse(shared.TableName)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: %w", err)
	}
	q := buildQueries(table.Quoted())
	d := newDriver(db, table, q, newWriter(db, nil, q, shared.Owner != nil), nil)
	return sessionsql.NewStore(d, shared), nil
}
