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
	"github.com/sessionsql/sessionsql"
	"github.com/sessionsql/sessionsql/postgresstore"
	"github.com/sessionsql/sessionsql/sqlitestore"
)

// ownerConfig sets the size of the owner suite.
type ownerConfig struct {
	rows      []int         // table sizes
	perOwner  int           // sessions each owner has
	window    time.Duration // measured time per cell, split into ownerRounds rounds
	only      string
	explainAt int // the table size whose query plan is reported
}

// ownerRounds is how many rounds each cell's window is split into. The
// table sizes of one backend take their rounds in turn, so that a round at
// one size and the same round at another ran moments apart and share the
// machine's drift (as the ops suite's cells do).
const ownerRounds = 12

// ownerResult is one table size on one backend.
type ownerResult struct {
	backend    string
	rows       int
	list       summary     // OwnerSessions of a random owner; opsPerSec is the median round's
	listRates  []float64   // ops/s of each list round, in step with the other sizes' rounds
	listStarts []time.Time // when each list round began
	revoke     summary     // RevokeOwner of a random owner, keeping one session
	plan       string
}

// ownerTarget is one backend's store with the owner index, and how to fill
// its table.
type ownerTarget struct {
	name    string
	store   *sessionsql.Store
	seed    func(ctx context.Context, rows, owners int) error
	explain func(ctx context.Context, owner string) (string, error)
	close   func()
}

// runOwner measures the owner index: listing one owner's sessions and
// revoking them, one caller, with every owner holding perOwner sessions, on
// a table of each size per backend, the sizes side by side.
func runOwner(ctx context.Context, out io.Writer, pg *postgres, cfg ownerConfig) ([]ownerResult, error) {
	var backends []func() (*ownerTarget, error)
	if cfg.only != "postgres" {
		backends = append(backends, sqliteOwnerTarget)
	}
	if pg != nil {
		backends = append(backends, func() (*ownerTarget, error) { return postgresOwnerTarget(ctx, pg) })
	}
	var results []ownerResult
	for _, open := range backends {
		rs, err := measureOwner(ctx, out, open, cfg)
		if err != nil {
			return nil, err
		}
		results = append(results, rs...)
	}
	return results, nil
}

// ownerCell is one table size on one backend while it is measured.
type ownerCell struct {
	tg           *ownerTarget
	rows, owners int
	rng          *rand.Rand
	list, revoke latencies
	listRates    []float64
	listStarts   []time.Time // when each list round began
	listWindow   time.Duration
	revokeWindow time.Duration
	// unrevoked are the owners no revoke has touched yet, in random order:
	// each revoke takes the next, so that every one measured deletes
	// sessions, on a small table as on a big one.
	unrevoked []int
}

func (c *ownerCell) owner() string { return fmt.Sprintf("u-%d", c.rng.IntN(c.owners)) }

// randomOwner is an owner source for timed: any owner, drawn at random.
func (c *ownerCell) randomOwner() (string, bool) { return c.owner(), true }

// nextUnrevoked is an owner source for timed: the next owner no revoke has
// touched, until there is none.
func (c *ownerCell) nextUnrevoked() (string, bool) {
	if len(c.unrevoked) == 0 {
		return "", false
	}
	owner := fmt.Sprintf("u-%d", c.unrevoked[0])
	c.unrevoked = c.unrevoked[1:]
	return owner, true
}

// timed runs op for d on the owners next gives (untimed), until it gives
// none, recording each call in lat, and returns how many succeeded and how
// long it took.
func (c *ownerCell) timed(d time.Duration, lat *latencies, next func() (string, bool), op func(owner string) error) (ok int64, took time.Duration) {
	start := time.Now()
	for deadline := start.Add(d); time.Now().Before(deadline); {
		owner, more := next()
		if !more {
			break
		}
		t := time.Now()
		err := op(owner)
		lat.add(time.Since(t), err)
		if err == nil {
			ok++
		}
	}
	return ok, time.Since(start)
}

// measureOwner opens one table of each size on one backend (open makes one
// store and its table), seeds them, and measures them in rounds taken in
// turn: first listing, then listing and revoking (which leaves owners with
// fewer sessions, so it comes last).
func measureOwner(ctx context.Context, out io.Writer, open func() (*ownerTarget, error), cfg ownerConfig) ([]ownerResult, error) {
	var cells []*ownerCell
	defer func() {
		for _, c := range cells {
			c.tg.close()
		}
	}()
	for _, rows := range cfg.rows {
		tg, err := open()
		if err != nil {
			return nil, err
		}
		c := &ownerCell{tg: tg, rows: rows, owners: rows / cfg.perOwner, rng: rand.New(rand.NewPCG(uint64(rows), 7))}
		c.unrevoked = c.rng.Perm(c.owners)
		cells = append(cells, c)
		fmt.Fprintf(out, "owner: %s: seeding %d sessions of %d owners\n", tg.name, rows, c.owners)
		if err := tg.seed(ctx, rows, c.owners); err != nil {
			return nil, fmt.Errorf("%s: %w", tg.name, err)
		}
	}
	list := func(c *ownerCell) func(string) error {
		return func(owner string) error {
			infos, err := c.tg.store.OwnerSessions(ctx, owner)
			if err == nil && len(infos) != cfg.perOwner {
				err = fmt.Errorf("listed %d sessions, want %d", len(infos), cfg.perOwner)
			}
			return err
		}
	}
	revoke := func(c *ownerCell) func(string) error {
		return func(owner string) error {
			infos, err := c.tg.store.OwnerSessions(ctx, owner)
			if err != nil {
				return err
			}
			if len(infos) != cfg.perOwner {
				return fmt.Errorf("listed %d sessions of %s before revoking, want %d", len(infos), owner, cfg.perOwner)
			}
			n, err := c.tg.store.RevokeOwner(ctx, owner, infos[0].ID)
			if err == nil && n != int64(cfg.perOwner-1) {
				err = fmt.Errorf("revoked %d sessions of %s, want %d", n, owner, cfg.perOwner-1)
			}
			return err
		}
	}
	round := cfg.window / ownerRounds
	for _, c := range cells {
		c.timed(round, &latencies{}, c.randomOwner, list(c)) // warm-up
	}
	for r := range ownerRounds {
		for i := range cells {
			c := cells[(r+i)%len(cells)]
			c.listStarts = append(c.listStarts, time.Now())
			n, took := c.timed(round, &c.list, c.randomOwner, list(c))
			c.listRates = append(c.listRates, float64(n)/took.Seconds())
			c.listWindow += took
		}
	}
	for r := range ownerRounds {
		for i := range cells {
			c := cells[(r+i)%len(cells)]
			_, took := c.timed(round, &c.revoke, c.nextUnrevoked, revoke(c))
			c.revokeWindow += took
		}
	}
	var results []ownerResult
	for _, c := range cells {
		r := ownerResult{backend: c.tg.name, rows: c.rows, list: c.list.summarize(c.listWindow),
			listRates: c.listRates, listStarts: c.listStarts, revoke: c.revoke.summarize(c.revokeWindow)}
		r.list.opsPerSec = median(c.listRates)
		if c.rows == cfg.explainAt {
			plan, err := c.tg.explain(ctx, c.owner())
			if err != nil {
				return nil, fmt.Errorf("%s: %w", c.tg.name, err)
			}
			r.plan = plan
		}
		fmt.Fprintf(out, "owner: %s, %d rows: list p50 %v p99 %v (%.0f/s); list+revoke p50 %v p99 %v\n",
			r.backend, r.rows, r.list.p50, r.list.p99, r.list.opsPerSec, r.revoke.p50, r.revoke.p99)
		results = append(results, r)
	}
	return results, nil
}

func sqliteOwnerTarget() (*ownerTarget, error) {
	path, remove, err := tempSQLite()
	if err != nil {
		return nil, err
	}
	st, err := sqlitestore.Open(path, sqlitestore.Config{Config: sessionsql.Config{CleanupInterval: -1, Owner: benchOwner}})
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
	st, err := postgresstore.NewWithConfig(pool, postgresstore.Config{Config: sessionsql.Config{CleanupInterval: -1, Owner: benchOwner}})
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
	fmt.Fprintf(&b, "Listing one owner's sessions (`OwnerSessions`, %d sessions per owner) and \"log out other devices\" (`OwnerSessions` + `RevokeOwner` keeping one), one caller, %v per cell in %d rounds taken in turn with the other table sizes of its backend (listing first, after a warm-up round of listing each; then revoking, each revoke on an owner none revoked before, until every owner is done); ops/s is the median round's, latencies in µs.\n\n", cfg.perOwner, cfg.window, ownerRounds)
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
			fmt.Fprintf(&b, "\n%s: %s\n", backend, listGrowth(*small, *big))
		}
	}
	for _, r := range results {
		if r.plan != "" {
			fmt.Fprintf(&b, "\n%s plan of the listing at %d rows:\n\n```\n%s\n```\n", r.backend, r.rows, r.plan)
		}
	}
	return b.String()
}

// listGrowth says how much more a listing costs in big's table than in
// small's: the median over the rounds of small's ops/s divided by big's in
// the same round, and how much those ratios vary; the ratio of the medians
// when the two did not run side by side.
func listGrowth(small, big ownerResult) string {
	if len(small.listRates) == 0 || len(small.listRates) != len(big.listRates) {
		return fmt.Sprintf("listing at %d rows costs %.2fx what it costs at %d rows.", big.rows, small.list.opsPerSec/big.list.opsPerSec, small.rows)
	}
	r := pairedRatios(small.listRates, big.listRates)
	return fmt.Sprintf("listing at %d rows costs %.2fx what it costs at %d rows (the median of %d pairs of rounds taken in turn; the pairs vary ±%.0f%%).",
		big.rows, median(r), small.rows, len(r), 100*spread(r)/2)
}
