package postgresstore

import (
	"context"
	"errors"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/sessionsql/sessionsql"
	"github.com/sessionsql/sessionsql/internal/batch"
	"github.com/sessionsql/sessionsql/internal/sqlident"
)

// driver keeps sessions in one PostgreSQL table through a pgx pool: the
// sessionsql.Driver of postgresstore. Finds, commits and deletes each go
// through a batcher, which runs them together when they arrive faster
// than their statements finish.
type driver struct {
	pool   *pgxpool.Pool
	q      queries
	table  sqlident.Name
	owned  bool // the owner index is on: commits write its columns
	direct bool // Finds of their own run over pgconn (see findDirect)

	finds   *batch.Batcher[findReq]
	commits *batch.Batcher[commitReq]
	deletes *batch.Batcher[deleteReq]
	grouped atomic.Int64 // operations run by a statement shared with others

	mu     sync.Mutex
	cursor time.Time // where the current cleanup run's next batch starts
}

var (
	_ sessionsql.OwnerDriver    = (*driver)(nil)
	_ sessionsql.ErrorExplainer = (*driver)(nil)
	_ sessionsql.GroupCounter   = (*driver)(nil)
)

// maxGroup bounds how many operations share one statement.
const maxGroup = 64

// newDriver returns the driver of a store, with slots statements of each
// kind in flight at most (slots < 0: no limit, every operation alone) and
// grouped writes waiting at most lockTimeout for a row lock.
func newDriver(pool *pgxpool.Pool, table sqlident.Name, async, owned bool, slots int, lockTimeout time.Duration) *driver {
	d := &driver{pool: pool, q: buildQueries(table.Quoted(), async, lockTimeout), table: table, owned: owned, direct: directFinds(pool)}
	if slots < 0 {
		slots = math.MaxInt
	}
	d.finds = batch.New(batch.Config[findReq]{Slots: slots, Max: maxGroup, Run: d.runFinds, Alone: d.findOne})
	d.commits = batch.New(batch.Config[commitReq]{Slots: slots, Max: maxGroup, Run: d.runCommits, Alone: d.commitOne})
	d.deletes = batch.New(batch.Config[deleteReq]{Slots: slots, Max: maxGroup, Run: d.runDeletes, Alone: d.deleteOne})
	return d
}

// write runs one writing statement on a connection of its own. When the
// context ends first, pgx abandons the connection and cancels the statement
// in the background, but until that cancel lands the server may still be
// running it (waiting for a row lock, say), and it could complete after
// newer writes: a Commit that "failed" would overwrite the next request's
// session, or bring back one deleted at logout. So write sends the cancel
// itself and returns only once the server has it.
func (d *driver) write(ctx context.Context, run func(*pgxpool.Conn) error) error {
	conn, err := d.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	err = run(conn)
	if err != nil && ctx.Err() != nil {
		cancelCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cancelTimeout)
		defer cancel()
		_ = conn.Conn().PgConn().CancelRequest(cancelCtx)
	}
	return err
}

// cancelTimeout bounds the cancel request write sends for an abandoned
// statement.
const cancelTimeout = 2 * time.Second

// settle gives the operations of a grouped statement that ended with err
// their outcome, and counts them as grouped when it succeeded. When the
// statement failed as a whole (a value the server refuses, a row lock held
// longer than groupLockTimeout) while its callers still wait, each
// operation runs again on its own, for an outcome of its own.
func settle[T any](d *driver, ctx context.Context, ops []*batch.Op[T], err error) {
	switch {
	case err == nil:
		d.grouped.Add(int64(len(ops)))
	case ctx.Err() == nil:
		for _, op := range ops {
			op.Retry()
		}
		return
	}
	for _, op := range ops {
		op.Err = err
	}
}

// Grouped is how many operations a statement shared with others ran.
func (d *driver) Grouped() int64 { return d.grouped.Load() }

// Close does nothing: the pool is the caller's, and the Store stops
// calling the driver before it closes it.
func (d *driver) Close() error { return nil }

// migrateHow says how this backend's users apply the migrations.
const migrateHow = "postgresstore.Migrate, or the sessionsql command's migrate up"

// Explain reports a missing table (SQLSTATE 42P01) as ErrNoTable and a
// missing column (42703) as ErrOldSchema, saying what to do, and a
// prepared statement lost behind a pooler as PoolerError does.
func (d *driver) Explain(err error) error {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return err
	}
	switch pgErr.Code {
	case "42P01":
		return sessionsql.MissingTable(d.table.String(), migrateHow, err)
	case "42703":
		return sessionsql.MissingColumns(d.table.String(), migrateHow, err)
	}
	return PoolerError(err)
}

func (d *driver) All(ctx context.Context, now time.Time) (map[string][]byte, error) {
	rows, err := d.pool.Query(ctx, d.q.all, now)
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
		sessions[token] = data
	}
	return sessions, rows.Err()
}
