package postgresstore

import (
	"fmt"
	"runtime"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/sessionsql/sessionsql"
	"github.com/sessionsql/sessionsql/internal/sqlident"
)

// Config tunes a PostgreSQL store: the Config every store shares, and what
// only PostgreSQL has. The zero Config means every default.
type Config struct {
	sessionsql.Config

	// AsyncCommit makes Commit return before its write reaches the disk
	// (PostgreSQL's synchronous_commit off, for that statement alone): a
	// crash of the server, not of your app, can lose the session writes of
	// its last moments (up to about 600 ms). Delete stays durable. Defaults
	// to false: every Commit is durable when it returns.
	AsyncCommit bool

	// Concurrency is how many statements of each kind (finds, commits,
	// deletes) run at once; operations that arrive while all are busy share
	// the next one (up to 64 of them). A negative value turns grouping off:
	// every operation is a statement of its own. Defaults to twice
	// GOMAXPROCS, within 2 and the pool's MaxConns.
	Concurrency int
}

// New returns a store over pool with every default: the drop-in for scs's
// pgxstore.New. Apply the schema first with Migrate. The store deletes
// expired sessions in the background every 5 minutes until Close, and
// never closes pool. A nil pool is a programming error: New panics.
func New(pool *pgxpool.Pool) *sessionsql.Store {
	st, err := NewWithConfig(pool, Config{})
	if err != nil {
		panic(err) // unreachable: the zero Config is valid
	}
	return st
}

// NewWithConfig returns a store over pool tuned by cfg. It fails when
// cfg.TableName is not a valid table name. A nil pool is a programming
// error: NewWithConfig panics.
func NewWithConfig(pool *pgxpool.Pool, cfg Config) (*sessionsql.Store, error) {
	st, _, err := newStore(pool, cfg, groupLockTimeout)
	return st, err
}

// newStore builds the store and returns its driver too, for the tests,
// whose grouped writes wait at most lockTimeout for a row lock (see
// groupLockTimeout).
func newStore(pool *pgxpool.Pool, cfg Config, lockTimeout time.Duration) (*sessionsql.Store, *driver, error) {
	if pool == nil {
		panic("postgresstore: the pool is nil; pass the *pgxpool.Pool from pgxpool.New")
	}
	shared := cfg.Config.WithDefaults()
	table, err := sqlident.Parse(shared.TableName)
	if err != nil {
		return nil, nil, fmt.Errorf("postgresstore: %w", err)
	}
	slots := cfg.Concurrency
	if slots == 0 {
		slots = max(2, min(2*runtime.GOMAXPROCS(0), int(pool.Config().MaxConns)))
	}
	d := newDriver(pool, table, cfg.AsyncCommit, shared.Owner != nil, slots, lockTimeout)
	return sessionsql.NewStore(d, shared), d, nil
}
