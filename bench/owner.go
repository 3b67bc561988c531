package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/sessionsql/sessionsql/postgresstore"
	"github.com/sessionsql/sessionsql/sqlitestore"
	"github.com/sessionsql/sessionsql/store"
)

// ownerConfig sets the size of the owner suite.
type ownerConfig struct {
	rows      []int         // table sizes
	perOwner  int           // sessions each owner has
	window    time.Duration // measured time per cell
	only      string
	explainAt int // the table size whose query plan is reported
}

// ownerResult is one table size on one backend.
type ownerResult struct {
	backend  string
	rows     int
	list     summary // OwnerSessions of a random owner
	revoke   summary // RevokeOwner of a random owner, keeping one session
	plan     string
	listSize int
}

// ownerTarget is one backend's store with the owner index, and how to fill
// its table.
type ownerTarget struct {
	name  string
	store interface {
		store.OwnerStore
		Close() error
	}
	seed    func(ctx context.Context, rows, owners int) error
	explain func(ctx context.Context, owner string) (string, error)
	close   func()
}

// runOwner measures the owner index: listing one owner's sessions and
// revoking them, at each table size, one caller, with every owner holding
// perOwner sessions.
func runOwner(ctx context.Context, out io.Writer, pg *postgres, cfg ownerConfig) ([]ownerResult, error) {
	var results []ownerResult
	for _, rows := range cfg.rows {
		var targets []func() (*ownerTarget, error)
		if cfg.only != "postgres" {
			targets = append(targets, sqliteOwnerTarget)
		}
		if pg != nil {
			targets = append(targets, func() (*ownerTarget, error) { return postgresOwnerTarget(ctx, pg) })
		}
		for _, make := range targets {
			tg, err := make()
			if err != nil {
				return nil, err
			}
			r, err := measureOwner(ctx, out, tg, rows, cfg)
			tg.close()
			if err != nil {
				return nil, fmt.Errorf("%s: %w", tg.name, err)
			}
			results = append(results, r)
		}
	}
	return results, nil
}

func measureOwner(ctx context.Context, out io.Writer, tg *ownerTarget, rows int, cfg ownerConfig) (ownerResult, error) {
	owners := rows / cfg.perOwner
	fmt.Fprintf(out, "owner: %s: seeding %d sessions of %d owners\n", tg.name, rows, owners)
	if err := tg.seed(ctx, rows, owners); err != nil {
		return ownerResult{}, err
	}
	r := ownerResult{backend: tg.name, rows: rows}
	rng := rand.New(rand.NewPCG(uint64(rows), 7))
	owner := func() string { return fmt.Sprintf("u-%d", rng.IntN(owners)) }

	var list latencies
	deadline := time.Now().Add(cfg.window)
	for time.Now().Before(deadline) {
		start := time.Now()
		infos, err := tg.store.OwnerSessions(ctx, owner())
		if err == nil && len(infos) != cfg.perOwner {
			err = fmt.Errorf("listed %d sessions, want %d", len(infos), cfg.perOwner)
		}
		list.add(time.Since(start), err)
		r.listSize = len(infos)
	}
	r.list = list.summarize(cfg.window)

	var revoke latencies
	deadline = time.Now().Add(cfg.window)
	for time.Now().Before(deadline) {
		o := owner()
		start := time.Now()
		infos, err := tg.store.OwnerSessions(ctx, o)
		if err == nil && len(infos) > 0 {
			_, err = tg.store.RevokeOwner(ctx, o, infos[0].ID)
		}
		revoke.add(time.Since(start), err)
	}
	r.revoke = revoke.summarize(cfg.window)

	if rows == cfg.explainAt {
		plan, err := tg.explain(ctx, owner())
		if err != nil {
			return ownerResult{}, err
		}
		r.plan = plan
	}
	fmt.Fprintf(out, "owner: %s, %d rows: list p50 %v p99 %v (%.0f/s); list+revoke p50 %v p99 %v\n",
		tg.name, rows, r.list.p50, r.list.p99, r.list.opsPerSec, r.revoke.p50, r.revoke.p99)
	return r, nil
}

func sqliteOwnerTarget() (*ownerTarget, error) {
	path, remove, err := tempSQLite()
	if err != nil {
		return nil, err
	}
	st, err := sqlitestore.Open(path, sqlitestore.Config{CleanupInterval: -1, Owner: benchOwner})
	if err != nil {
		remove()
		return nil, err
	}
	side, err := sql.Open("sqlite", sqliteDSN(path))
	if err != nil {
		st.Close()
		remove()
		return nil, err
	}
	return &ownerTarget{
		name: "SQLite", store: st,
		seed: func(ctx context.Context, rows, owners int) error {
			_, err := side.ExecContext(ctx, `WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < ? - 1)
				INSERT INTO sessions (token, data, expiry, owner, created, last_seen)
				SELECT 'tok-' || i, x'00', CAST(strftime('%s', 'now', '+1 hour') AS INTEGER) * 1000, 'u-' || (i % ?),
				       CAST(strftime('%s', 'now') AS INTEGER) * 1000, CAST(strftime('%s', 'now') AS INTEGER) * 1000 FROM c`, rows, owners)
			if err == nil {
				_, err = side.ExecContext(ctx, `ANALYZE; PRAGMA wal_checkpoint(TRUNCATE)`)
			}
			return err
		},
		explain: func(ctx context.Context, owner string) (string, error) {
			return queryPlan(ctx, side, `EXPLAIN QUERY PLAN SELECT token, coalesce(device, ''), created, last_seen, CAST(expiry AS INTEGER) FROM sessions
WHERE owner = ? AND expiry > ? ORDER BY last_seen DESC, token`, 3, owner, time.Now().UnixMilli())
		},
		close: func() { side.Close(); st.Close(); remove() },
	}, nil
}

func postgresOwnerTarget(ctx context.Context, pg *postgres) (*ownerTarget, error) {
	pool, drop, err := pg.freshDB(ctx, 1)
	if err != nil {
		return nil, err
	}
	if err := postgresstore.Migrate(ctx, pool); err != nil {
		drop()
		return nil, err
	}
	st, err := postgresstore.NewWithConfig(pool, postgresstore.Config{CleanupInterval: -1, Owner: benchOwner})
	if err != nil {
		drop()
		return nil, err
	}
	return &ownerTarget{
		name: "PostgreSQL", store: st,
		seed: func(ctx context.Context, rows, owners int) error {
			_, err := pool.Exec(ctx, `INSERT INTO sessions (token, data, expiry, owner, created, last_seen)
				SELECT 'tok-' || i, '\x00'::bytea, now() + interval '1 hour', 'u-' || (i % $2), now(), now()
				FROM generate_series(0, $1 - 1) AS i`, rows, owners)
			if err == nil {
				_, err = pool.Exec(ctx, `VACUUM ANALYZE sessions`)
			}
			return err
		},
		explain: func(ctx context.Context, owner string) (string, error) {
			return pgPlan(ctx, pool, `EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) SELECT token, coalesce(device, ''), created, last_seen, expiry FROM sessions
WHERE owner = $1 AND expiry > $2 ORDER BY last_seen DESC NULLS LAST, token`, owner, time.Now())
		},
		close: func() { st.Close(); drop() },
	}, nil
}

// queryPlan runs a SQLite EXPLAIN QUERY PLAN and returns its detail column
// (the column at index detail), one line per step.
func queryPlan(ctx context.Context, db *sql.DB, q string, detail int, args ...any) (string, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		cols := make([]any, detail+1)
		ptrs := make([]any, len(cols))
		for i := range cols {
			ptrs[i] = &cols[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return "", err
		}
		lines = append(lines, fmt.Sprint(cols[detail]))
	}
	return strings.Join(lines, "\n"), rows.Err()
}

func pgPlan(ctx context.Context, pool *pgxpool.Pool, q string, args ...any) (string, error) {
	rows, err := pool.Query(ctx, q, args...)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return "", err
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n"), rows.Err()
}

// ownerTable renders the owner suite's results.
func ownerTable(results []ownerResult, cfg ownerConfig) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Listing one owner's sessions (`OwnerSessions`, %d sessions per owner) and \"log out other devices\" (`OwnerSessions` + `RevokeOwner` keeping one), one caller, %v per cell; latencies in µs.\n\n", cfg.perOwner, cfg.window)
	b.WriteString("| backend | rows | list ops/s | list p50 | list p99 | list + revoke p50 | list + revoke p99 | failed |\n")
	b.WriteString("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	for _, r := range results {
		fmt.Fprintf(&b, "| %s | %d | %.0f | %s | %s | %s | %s | %d |\n", r.backend, r.rows, r.list.opsPerSec,
			us(r.list.p50), us(r.list.p99), us(r.revoke.p50), us(r.revoke.p99), r.list.failed+r.revoke.failed)
	}
	for _, backend := range []string{"SQLite", "PostgreSQL"} {
		var small, big *ownerResult
		for i := range results {
			r := &results[i]
			if r.backend != backend {
				continue
			}
			if small == nil || r.rows < small.rows {
				small = r
			}
			if big == nil || r.rows > big.rows {
				big = r
			}
		}
		if small != nil && big != nil && small != big {
			ratio := small.list.opsPerSec / big.list.opsPerSec
			fmt.Fprintf(&b, "\n%s: listing at %d rows costs %.2fx what it costs at %d rows.\n", backend, big.rows, ratio, small.rows)
		}
	}
	for _, r := range results {
		if r.plan != "" {
			fmt.Fprintf(&b, "\n%s plan of the listing at %d rows:\n\n```\n%s\n```\n", r.backend, r.rows, r.plan)
		}
	}
	return b.String()
}
