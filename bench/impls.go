package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/alexedwards/scs/pgxstore"
	scspostgres "github.com/alexedwards/scs/postgresstore"
	"github.com/alexedwards/scs/sqlite3store"
	"github.com/alexedwards/scs/v2"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/sessionsql/sessionsql"
	"github.com/sessionsql/sessionsql/postgresstore"
	"github.com/sessionsql/sessionsql/sqlitestore"
)

// impl is one session store under test, on a database of its own.
type impl struct {
	name    string
	store   scs.Store
	seed    func(ctx context.Context, n int, data []byte) error // n live sessions tok-0..tok-(n-1)
	writes  func() int64                                        // rows written so far by the database's own count; nil: count Commits
	close   func()
	floor   bool // the raw driver floor, not a store
	ours    bool
	variant string          // what is special about this configuration of ours, if anything
	only    map[string]bool // the workloads a variant runs; nil: all of them
}

// baselineName is the contender an earlier revision of sessionsql's store
// runs as, when a build links one in (see baseline.sh).
const baselineName = "sessionsql baseline"

// baseline makes that contender's store, one per backend, over a fresh
// PostgreSQL database (pool) or SQLite file (path) it migrates itself;
// nil unless the build has the baseline tag. The close func closes it.
var baseline struct {
	rev      string
	postgres func(ctx context.Context, pool *pgxpool.Pool) (scs.Store, func(), error)
	sqlite   func(path string) (scs.Store, func(), error)
}

// runs reports whether the impl takes part in the workload named name.
func (im *impl) runs(name string) bool { return im.only == nil || im.only[name] }

// countingStore counts the Commits of a store that writes every one.
type countingStore struct {
	scs.Store
	commits atomic.Int64
}

func (c *countingStore) Commit(token string, b []byte, expiry time.Time) error {
	c.commits.Add(1)
	return c.Store.Commit(token, b, expiry)
}

func counted(st scs.Store) (scs.Store, func() int64) {
	c := &countingStore{Store: st}
	return c, c.commits.Load
}

// benchOwner turns the owner index on for the "sessionsql owner" variant.
// The seeded sessions, which Commit update and the requests rewrite, all
// belong to user 42 (sessionBlobs): one key shared by every row, whose
// index entry an update leaves alone. Commit new logs in one of
// loginUsers users each time (loginBlobs), so its index entries land all
// over the index, as real logins' do.
var benchOwner = sessionsql.GobOwner("user_id", "")

// ownedSeed seeds as seed does, then gives every row the owner the owner
// index would have recorded (as a store with the index on, or IndexOwners,
// leaves them), so that the variant is measured in its steady state rather
// than indexing the seeded rows one by one.
func ownedSeed(seed func(ctx context.Context, n int, data []byte) error, own func(ctx context.Context) error) func(ctx context.Context, n int, data []byte) error {
	return func(ctx context.Context, n int, data []byte) error {
		if err := seed(ctx, n, data); err != nil {
			return err
		}
		return own(ctx)
	}
}

// ownerWorkloads are the workloads the owner index can change.
var ownerWorkloads = only("Commit update", "Commit new", "LoadAndSave request")

func only(names ...string) map[string]bool {
	m := map[string]bool{}
	for _, n := range names {
		m[n] = true
	}
	return m
}

func pgSchema(ctx context.Context, pool *pgxpool.Pool) error {
	_, err := pool.Exec(ctx, `CREATE TABLE sessions (token TEXT PRIMARY KEY, data BYTEA NOT NULL, expiry TIMESTAMPTZ NOT NULL);
		CREATE INDEX sessions_expiry_idx ON sessions (expiry)`)
	return err
}

// pgSeed empties the table (TRUNCATE), then inserts n live sessions with
// the same data and settles the table.
func pgSeed(pool *pgxpool.Pool) func(ctx context.Context, n int, data []byte) error {
	return func(ctx context.Context, n int, data []byte) error {
		_, err := pool.Exec(ctx, `TRUNCATE sessions`)
		if err == nil {
			_, err = pool.Exec(ctx, `INSERT INTO sessions (token, data, expiry)
			SELECT 'tok-' || i, $2, now() + interval '30 minutes' FROM generate_series(0, $1 - 1) AS i`, n, data)
		}
		if err == nil {
			err = settle(ctx, pool)
		}
		return err
	}
}

// settle leaves a freshly seeded PostgreSQL table as a busy server holds
// its session table: vacuumed, its dirty pages written out (so that the
// first cell does not pay for writing the seed), and table and indexes in
// the buffer cache (pg_prewarm, which ships with PostgreSQL).
func settle(ctx context.Context, pool *pgxpool.Pool) error {
	for _, q := range []string{
		`VACUUM ANALYZE sessions`,
		`CHECKPOINT`,
		`CREATE EXTENSION IF NOT EXISTS pg_prewarm`,
		`SELECT pg_prewarm(c.oid) FROM pg_class c WHERE c.oid = 'sessions'::regclass
		 OR c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = 'sessions'::regclass)`,
	} {
		if _, err := pool.Exec(ctx, q); err != nil {
			return fmt.Errorf("%.40s: %w", q, err)
		}
	}
	return nil
}

// postgresImpls builds every PostgreSQL contender, each on a fresh database.
func postgresImpls(ctx context.Context, pg *postgres, callers int) ([]*impl, error) {
	var out []*impl
	fresh := func(name string) (*pgxpool.Pool, func(), error) {
		pool, drop, err := pg.freshDB(ctx, callers)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", name, err)
		}
		return pool, drop, nil
	}
	ourStore := func(name, variant string, cfg postgresstore.Config) error {
		pool, drop, err := fresh(name)
		if err != nil {
			return err
		}
		if err := postgresstore.Migrate(ctx, pool); err != nil {
			drop()
			return err
		}
		cfg.CleanupInterval = -1
		st, err := postgresstore.NewWithConfig(pool, cfg)
		if err != nil {
			drop()
			return err
		}
		seed := pgSeed(pool)
		if cfg.Owner != nil {
			seed = ownedSeed(seed, func(ctx context.Context) error {
				if _, err := pool.Exec(ctx, `UPDATE sessions SET owner = '42', created = now(), last_seen = now()`); err != nil {
					return err
				}
				return settle(ctx, pool)
			})
		}
		out = append(out, &impl{name: name, store: st, seed: seed, writes: func() int64 { return st.Stats().Writes },
			close: func() { st.Close(); drop() }, ours: true, variant: variant})
		return nil
	}
	if err := ourStore("sessionsql", "", postgresstore.Config{}); err != nil {
		return nil, err
	}
	if err := ourStore("sessionsql touch 1m", "touch", postgresstore.Config{Config: sessionsql.Config{TouchThreshold: time.Minute}}); err != nil {
		return nil, err
	}
	out[len(out)-1].only = only("IdleTimeout request")
	if err := ourStore("sessionsql async", "async", postgresstore.Config{AsyncCommit: true}); err != nil {
		return nil, err
	}
	out[len(out)-1].only = only("Commit update", "Commit new", "IdleTimeout request")
	if err := ourStore("sessionsql owner", "owner", postgresstore.Config{Config: sessionsql.Config{Owner: benchOwner}}); err != nil {
		return nil, err
	}
	out[len(out)-1].only = ownerWorkloads
	if err := ourStore("sessionsql ungrouped", "ungrouped", postgresstore.Config{Concurrency: -1}); err != nil {
		return nil, err
	}
	out[len(out)-1].only = only("Find hit", "Commit update", "Commit new", "Delete")

	if baseline.postgres != nil {
		pool, drop, err := fresh(baselineName)
		if err != nil {
			return nil, err
		}
		st, closeStore, err := baseline.postgres(ctx, pool)
		if err != nil {
			drop()
			return nil, fmt.Errorf("%s: %w", baselineName, err)
		}
		counting, writes := counted(st)
		out = append(out, &impl{name: baselineName, store: counting, seed: pgSeed(pool), writes: writes,
			close: func() { closeStore(); drop() }, ours: true, variant: "baseline"})
	}

	pool, drop, err := fresh("scs pgxstore")
	if err != nil {
		return nil, err
	}
	if err := pgSchema(ctx, pool); err != nil {
		drop()
		return nil, err
	}
	pgxStore, pgxWrites := counted(pgxstore.NewWithCleanupInterval(pool, 0))
	out = append(out, &impl{name: "scs pgxstore", store: pgxStore, seed: pgSeed(pool), writes: pgxWrites, close: drop})

	pool, drop, err = fresh("scs postgresstore")
	if err != nil {
		return nil, err
	}
	if err := pgSchema(ctx, pool); err != nil {
		drop()
		return nil, err
	}
	db := stdlib.OpenDBFromPool(pool)
	pqStore, pqWrites := counted(scspostgres.NewWithCleanupInterval(db, 0))
	out = append(out, &impl{name: "scs postgresstore", store: pqStore, seed: pgSeed(pool), writes: pqWrites,
		close: func() { db.Close(); drop() }})

	pool, drop, err = fresh("raw pgx")
	if err != nil {
		return nil, err
	}
	if err := postgresstore.Migrate(ctx, pool); err != nil {
		drop()
		return nil, err
	}
	rawStore, rawWrites := counted(&rawPG{pool: pool})
	out = append(out, &impl{name: "raw pgx floor", store: rawStore, seed: pgSeed(pool),
		writes: rawWrites, close: drop, floor: true})
	return out, nil
}

// rawPG is the driver floor: our statements, through pgx's prepared
// statement cache, with nothing around them.
type rawPG struct{ pool *pgxpool.Pool }

func (r *rawPG) Find(token string) ([]byte, bool, error) {
	var b []byte
	err := r.pool.QueryRow(context.Background(), `SELECT data FROM sessions WHERE token = $1 AND expiry > $2`, token, time.Now()).Scan(&b)
	if err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, false, nil
		}
		return nil, false, err
	}
	return b, true, nil
}

func (r *rawPG) Commit(token string, b []byte, expiry time.Time) error {
	_, err := r.pool.Exec(context.Background(), `INSERT INTO sessions (token, data, expiry) VALUES ($1, $2, $3)
ON CONFLICT (token) DO UPDATE SET data = EXCLUDED.data, expiry = EXCLUDED.expiry`, token, b, expiry)
	return err
}

func (r *rawPG) Delete(token string) error {
	_, err := r.pool.Exec(context.Background(), `DELETE FROM sessions WHERE token = $1`, token)
	return err
}

// sqliteDSN is how the scs store and the floor open their file: WAL, a
// 5 s busy timeout, synchronous=NORMAL and memory-mapped reads, the
// settings Open uses.
func sqliteDSN(path string) string {
	return fmt.Sprintf("file:%s?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=mmap_size(%d)",
		path, sqlitestore.DefaultMmapSize)
}

// sqliteImpls builds every SQLite contender, each on a file of its own;
// our stores keep readConns read connections (0: Open's default).
func sqliteImpls(ctx context.Context, readConns int) ([]*impl, error) {
	var out []*impl
	ourStore := func(name, variant string, cfg sqlitestore.Config) error {
		path, remove, err := tempSQLite()
		if err != nil {
			return err
		}
		cfg.CleanupInterval = -1
		cfg.ReadConns = readConns
		st, err := sqlitestore.Open(path, cfg)
		if err != nil {
			remove()
			return err
		}
		side, err := sql.Open("sqlite", sqliteDSN(path))
		if err != nil {
			st.Close()
			remove()
			return err
		}
		seed := sqliteSeed(side, false)
		if cfg.Owner != nil {
			seed = ownedSeed(seed, func(ctx context.Context) error {
				_, err := side.ExecContext(ctx, `UPDATE sessions SET owner = '42', created = expiry, last_seen = expiry`)
				return err
			})
		}
		out = append(out, &impl{name: name, store: st, seed: seed,
			writes: func() int64 { return st.Stats().Writes },
			close:  func() { side.Close(); st.Close(); remove() }, ours: true, variant: variant})
		return nil
	}
	if err := ourStore("sessionsql", "", sqlitestore.Config{}); err != nil {
		return nil, err
	}
	if err := ourStore("sessionsql touch 1m", "touch", sqlitestore.Config{Config: sessionsql.Config{TouchThreshold: time.Minute}}); err != nil {
		return nil, err
	}
	out[len(out)-1].only = only("IdleTimeout request")
	if err := ourStore("sessionsql owner", "owner", sqlitestore.Config{Config: sessionsql.Config{Owner: benchOwner}}); err != nil {
		return nil, err
	}
	out[len(out)-1].only = ownerWorkloads

	if baseline.sqlite != nil {
		path, remove, err := tempSQLite()
		if err != nil {
			return nil, err
		}
		st, closeStore, err := baseline.sqlite(path)
		if err != nil {
			remove()
			return nil, fmt.Errorf("%s: %w", baselineName, err)
		}
		side, err := sql.Open("sqlite", sqliteDSN(path))
		if err != nil {
			closeStore()
			remove()
			return nil, err
		}
		counting, writes := counted(st)
		out = append(out, &impl{name: baselineName, store: counting, seed: sqliteSeed(side, false), writes: writes,
			close: func() { side.Close(); closeStore(); remove() }, ours: true, variant: "baseline"})
	}

	path, remove, err := tempSQLite()
	if err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", sqliteDSN(path))
	if err != nil {
		remove()
		return nil, err
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE sessions (token TEXT PRIMARY KEY, data BLOB NOT NULL, expiry REAL NOT NULL);
		CREATE INDEX sessions_expiry_idx ON sessions(expiry)`); err != nil {
		db.Close()
		remove()
		return nil, err
	}
	scsStore, scsWrites := counted(sqlite3store.NewWithCleanupInterval(db, 0))
	out = append(out, &impl{name: "scs sqlite3store", store: scsStore, writes: scsWrites,
		seed: sqliteSeed(db, true), close: func() { db.Close(); remove() }})

	path, remove2, err := tempSQLite()
	if err != nil {
		return nil, err
	}
	raw, err := newRawSQLite(ctx, path)
	if err != nil {
		remove2()
		return nil, err
	}
	rawStore, rawWrites := counted(raw)
	out = append(out, &impl{name: "raw modernc floor", store: rawStore, writes: rawWrites, seed: sqliteSeed(raw.db, false),
		close: func() { raw.close(); remove2() }, floor: true})
	for _, im := range out {
		im.seed = touchedSeed(im.seed, im.store)
	}
	return out, nil
}

// touchedSeed is seed followed by a Find of every seeded session through
// st, in order, on one goroutine. SQLite maps the file into memory for
// each connection on its own, and a connection pays a page fault the
// first time it reads each page of its mapping; a long-running app's
// connections have long since read theirs. Without this pass the 10^6-row
// cells would measure those first reads for some contenders and not for
// others: the floor's connection reads every page while it seeds, while
// our store's readers never see the seed, which runs on a side connection.
func touchedSeed(seed func(ctx context.Context, n int, data []byte) error, st scs.Store) func(ctx context.Context, n int, data []byte) error {
	return func(ctx context.Context, n int, data []byte) error {
		if err := seed(ctx, n, data); err != nil {
			return err
		}
		for i := range n {
			if _, found, err := st.Find("tok-" + strconv.Itoa(i)); err != nil || !found {
				return fmt.Errorf("reading back tok-%d after the seed: found %v, %v", i, found, err)
			}
		}
		return nil
	}
}

// sqliteSeed leaves exactly n live sessions in the table, in a freshly
// written file; julian tells scs's REAL julian-day expiry from our unix
// milliseconds. The cells before a seed leave rows behind (logins under
// random tokens, 16 KB sessions), more of them the faster a store wrote:
// they are deleted, and VACUUM rewrites the file, so that every contender's
// table has the same rows in the same layout whatever it wrote before.
func sqliteSeed(db *sql.DB, julian bool) func(ctx context.Context, n int, data []byte) error {
	expiry := `CAST(strftime('%s', 'now', '+30 minutes') AS INTEGER) * 1000`
	if julian {
		expiry = `julianday('now', '+30 minutes')`
	}
	return func(ctx context.Context, n int, data []byte) error {
		if _, err := db.ExecContext(ctx, `DELETE FROM sessions`); err != nil {
			return err
		}
		if _, err := db.ExecContext(ctx, `WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < ? - 1)
			INSERT INTO sessions (token, data, expiry) SELECT 'tok-' || i, ?, `+expiry+` FROM c`, n, data); err != nil {
			return err
		}
		_, err := db.ExecContext(ctx, `VACUUM; ANALYZE; PRAGMA wal_checkpoint(TRUNCATE)`)
		return err
	}
}

// rawSQLite is the driver floor: our statements prepared once on one
// *sql.DB with database/sql's default pool, nothing around them.
type rawSQLite struct {
	db                   *sql.DB
	find, commit, delete *sql.Stmt
}

func newRawSQLite(ctx context.Context, path string) (*rawSQLite, error) {
	db, err := sql.Open("sqlite", sqliteDSN(path))
	if err != nil {
		return nil, err
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE sessions (token TEXT PRIMARY KEY, data BLOB NOT NULL, expiry INTEGER NOT NULL);
		CREATE INDEX sessions_expiry_idx ON sessions(expiry)`); err != nil {
		db.Close()
		return nil, err
	}
	r := &rawSQLite{db: db}
	for _, p := range []struct {
		dst **sql.Stmt
		q   string
	}{
		{&r.find, `SELECT data FROM sessions WHERE token = ? AND expiry > ?`},
		{&r.commit, `INSERT INTO sessions (token, data, expiry) VALUES (?, ?, ?) ON CONFLICT (token) DO UPDATE SET data = excluded.data, expiry = excluded.expiry`},
		{&r.delete, `DELETE FROM sessions WHERE token = ?`},
	} {
		if *p.dst, err = db.PrepareContext(ctx, p.q); err != nil {
			db.Close()
			return nil, err
		}
	}
	return r, nil
}

func (r *rawSQLite) close() { r.db.Close() }

func (r *rawSQLite) Find(token string) ([]byte, bool, error) {
	var b []byte
	err := r.find.QueryRow(token, time.Now().UnixMilli()).Scan(&b)
	if err == sql.ErrNoRows {
		return nil, false, nil
	}
	return b, err == nil, err
}

func (r *rawSQLite) Commit(token string, b []byte, expiry time.Time) error {
	_, err := r.commit.Exec(token, b, expiry.UnixMilli())
	return err
}

func (r *rawSQLite) Delete(token string) error {
	_, err := r.delete.Exec(token)
	return err
}
