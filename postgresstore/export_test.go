package postgresstore

import (
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/sessionsql/sessionsql"
)

// ReaperLockClass exposes the reaper lock's first key to the tests.
const ReaperLockClass = reaperLockClass

// OwnerRowsQuery is the owner listing's SQL for table, for EXPLAIN.
func OwnerRowsQuery(table string) string {
	return buildQueries(table, false, groupLockTimeout).ownerRows
}

// Inside is a store with what the tests look at inside it.
type Inside struct {
	*sessionsql.Store
	d *driver
}

// NewInside is NewWithConfig, keeping hold of the store's insides.
func NewInside(pool *pgxpool.Pool, cfg Config) (Inside, error) {
	return NewInsideWaiting(pool, cfg, groupLockTimeout)
}

// NewInsideWaiting is NewInside whose grouped writes wait at most
// lockTimeout for a row lock (see groupLockTimeout): long, for a test
// that must see them wait.
func NewInsideWaiting(pool *pgxpool.Pool, cfg Config, lockTimeout time.Duration) (Inside, error) {
	st, d, err := newStore(pool, cfg, lockTimeout)
	return Inside{st, d}, err
}

// OnQueue makes f run whenever an operation joins a batcher's queue. Set
// it before the store is used.
func (in Inside) OnQueue(f func()) {
	in.d.finds.OnQueue, in.d.commits.OnQueue, in.d.deletes.OnQueue = f, f, f
}

// OnRun makes f run whenever a statement starts, with the number of
// operations it carries. Set it before the store is used.
func (in Inside) OnRun(f func(n int)) {
	in.d.finds.OnRun, in.d.commits.OnRun, in.d.deletes.OnRun = f, f, f
}

// FindsDirect reports whether the store runs its Finds of their own over
// pgconn.
func (in Inside) FindsDirect() bool { return in.d.direct }
