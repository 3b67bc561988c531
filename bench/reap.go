package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sessionsql/sessionsql"
	"github.com/sessionsql/sessionsql/postgresstore"
	"github.com/sessionsql/sessionsql/sqlitestore"
)

// reapConfig sets the size of the reap benchmark.
type reapConfig struct {
	expired  int           // expired rows to delete
	small    int           // a smaller backlog, to show memory is flat in it
	live     int           // live sessions the foreground load uses
	workers  int           // foreground goroutines
	rate     int           // foreground operations per second
	baseline time.Duration // foreground measured before the reap
	reaper   sessionsql.ReaperConfig
	only     string // "sqlite" or "postgres": run one backend

	pgNonDurable bool   // PostgreSQL without fsync
	pgBuffers    string // PostgreSQL shared_buffers
}

// reapEnv is one freshly seeded database and our store over it.
type reapEnv struct {
	st      *sessionsql.Store
	oneShot func(ctx context.Context) (int64, error) // the DELETE scs's stores run
	close   func()
}

// reapResult is one row of the results table.
type reapResult struct {
	backend, method string
	rows            int
	deleted         int64
	reap            time.Duration
	reapErr         error
	before, during  summary
	heap            uint64 // median live heap during the reap
}

func runReap(ctx context.Context, out io.Writer, pg *postgres, cfg reapConfig) ([]reapResult, error) {
	var results []reapResult
	type scenario struct {
		backend string
		open    func(ctx context.Context, expired int) (*reapEnv, error)
	}
	var scenarios []scenario
	if cfg.only != "postgres" {
		scenarios = append(scenarios, scenario{"SQLite", func(ctx context.Context, n int) (*reapEnv, error) { return sqliteReapEnv(ctx, n, cfg) }})
	}
	if pg != nil {
		scenarios = append(scenarios, scenario{"PostgreSQL", func(ctx context.Context, n int) (*reapEnv, error) { return pgReapEnv(ctx, pg, n, cfg) }})
	}
	for _, sc := range scenarios {
		for _, run := range []struct {
			method string
			rows   int
		}{
			{methodControl, cfg.expired},
			{"scs one-shot DELETE", cfg.expired},
			{"sessionsql Reaper", cfg.expired},
			{"sessionsql Reaper", cfg.small},
		} {
			fmt.Fprintf(out, "reap: %s, %s, %d expired rows: seeding...\n", sc.backend, run.method, run.rows)
			env, err := sc.open(ctx, run.rows)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", sc.backend, err)
			}
			res := reapOnce(ctx, env, cfg, run.method)
			res.backend, res.rows = sc.backend, run.rows
			env.close()
			fmt.Fprintf(out, "  reap %v (deleted %d, err %v); before p99 %v, during p99 %v max %v, failed %d\n",
				res.reap.Round(time.Millisecond), res.deleted, res.reapErr, res.before.p99, res.during.p99, res.during.max, res.during.failed)
			results = append(results, res)
		}
	}
	return results, nil
}

// The control run deletes nothing: for as long as the baseline window, it
// shows how much the foreground's latency moves between two windows on this
// machine by itself.
const methodControl = "nothing (control)"

// reapOnce measures the foreground for cfg.baseline, then during one reap.
func reapOnce(ctx context.Context, env *reapEnv, cfg reapConfig, method string) reapResult {
	fg := startForeground(env.st, cfg.live, cfg.workers, cfg.rate)
	defer fg.close()
	time.Sleep(time.Second) // warm-up, discarded
	before, baseWindow := fg.measure(func() { time.Sleep(cfg.baseline) })

	res := reapResult{method: method}
	stopSampling := sampleHeap(&res.heap)
	during, window := fg.measure(func() {
		if method == methodControl {
			time.Sleep(cfg.baseline)
			return
		}
		if method == "scs one-shot DELETE" {
			res.deleted, res.reapErr = env.oneShot(ctx)
			return
		}
		st, err := sessionsql.NewReaper(env.st, cfg.reaper).RunOnce(ctx)
		res.deleted, res.reapErr = st.Deleted, err
	})
	stopSampling()
	res.reap = window
	res.before = before.summarize(baseWindow)
	res.during = during.summarize(window)
	return res
}

// sampleHeap measures the live heap once a second (and once at the end)
// until the returned func is called, collecting garbage first so that the
// reading does not depend on when the GC happened to run, and stores the
// median reading in *median: the steady state, not a one-off spike from
// something else in the process.
func sampleHeap(median *uint64) func() {
	done := make(chan struct{})
	var wg sync.WaitGroup
	var samples []uint64
	read := func() {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		samples = append(samples, ms.HeapAlloc)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-done:
				read()
				return
			case <-t.C:
				read()
			}
		}
	}()
	return func() {
		close(done)
		wg.Wait()
		slices.Sort(samples)
		*median = samples[len(samples)/2]
	}
}

func sqliteReapEnv(ctx context.Context, expired int, cfg reapConfig) (*reapEnv, error) {
	path, remove, err := tempSQLite()
	if err != nil {
		return nil, err
	}
	st, err := sqlitestore.Open(path, sqlitestore.Config{Config: sessionsql.Config{CleanupInterval: -1}})
	if err != nil {
		remove()
		return nil, err
	}
	// A second handle, as scs's sqlite3store has its own *sql.DB: seeding and
	// the one-shot DELETE go through it, competing for the file's lock.
	other, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)")
	if err != nil {
		st.Close()
		remove()
		return nil, err
	}
	closeAll := func() { other.Close(); st.Close(); remove() }
	now := time.Now().UnixMilli()
	seed := []struct {
		q    string
		args []any
	}{
		{`WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < ?)
		  INSERT INTO sessions (token, data, expiry) SELECT 'old-' || i, randomblob(300), ? - 3600000 - i FROM c`, []any{expired, now}},
		{`WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < ? - 1)
		  INSERT INTO sessions (token, data, expiry) SELECT printf('live-%07d', i), randomblob(300), ? FROM c`, []any{cfg.live, now + 2*3600000}},
		{`ANALYZE`, nil},
		{`PRAGMA wal_checkpoint(TRUNCATE)`, nil},
	}
	for _, s := range seed {
		if _, err := other.ExecContext(ctx, s.q, s.args...); err != nil {
			closeAll()
			return nil, fmt.Errorf("seed: %w", err)
		}
	}
	return &reapEnv{
		st: st,
		oneShot: func(ctx context.Context) (int64, error) {
			res, err := other.ExecContext(ctx, `DELETE FROM sessions WHERE expiry < ?`, time.Now().UnixMilli())
			if err != nil {
				return 0, err
			}
			return res.RowsAffected()
		},
		close: closeAll,
	}, nil
}

func pgReapEnv(ctx context.Context, pg *postgres, expired int, cfg reapConfig) (*reapEnv, error) {
	pool, drop, err := pg.freshDB(ctx, cfg.workers)
	if err != nil {
		return nil, err
	}
	if err := postgresstore.Migrate(ctx, pool); err != nil {
		drop()
		return nil, err
	}
	st, err := postgresstore.NewWithConfig(pool, postgresstore.Config{Config: sessionsql.Config{CleanupInterval: -1}})
	if err != nil {
		drop()
		return nil, err
	}
	closeAll := func() { st.Close(); drop() }
	for _, q := range []string{
		fmt.Sprintf(`INSERT INTO sessions (token, data, expiry)
		  SELECT 'old-' || i, gen_random_bytes_300(), now() - interval '1 hour' - i * interval '1 millisecond'
		  FROM generate_series(1, %d) AS i`, expired),
		fmt.Sprintf(`INSERT INTO sessions (token, data, expiry)
		  SELECT 'live-' || lpad(i::text, 7, '0'), gen_random_bytes_300(), now() + interval '2 hours'
		  FROM generate_series(0, %d - 1) AS i`, cfg.live),
		`VACUUM ANALYZE sessions`,
		`CHECKPOINT`,
	} {
		q = strings.ReplaceAll(q, "gen_random_bytes_300()", `decode(md5(random()::text) || repeat('00', 284), 'hex')`)
		if _, err := pool.Exec(ctx, q); err != nil {
			closeAll()
			return nil, fmt.Errorf("seed: %w", err)
		}
	}
	return &reapEnv{
		st: st,
		oneShot: func(ctx context.Context) (int64, error) {
			tag, err := pool.Exec(ctx, `DELETE FROM sessions WHERE expiry < current_timestamp`)
			return tag.RowsAffected(), err
		},
		close: closeAll,
	}, nil
}
