package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"sync"
	"time"
)

// opsConfig sets the size of the ops suite.
type opsConfig struct {
	cell    time.Duration // measured time per cell
	warmup  time.Duration // unmeasured time before it
	rows    int           // live sessions in every table
	bigRows int           // rows for the growth check (0 skips it)
	callers []int
	sizes   []int
	fresh   int // tokens for Commit new and RenewToken
	rounds  int // rounds per cell, taken in turn across stores
	only    string
	// workloads, when set, are the only workloads run.
	workloads map[string]bool
	// sqliteReadConns is our SQLite stores' Config.ReadConns (0: Open's
	// default), to see how the read pool's size trades speed on a small
	// table against growth to a big one.
	sqliteReadConns int
}

// runs reports whether the suite runs the workload named name.
func (c opsConfig) runs(name string) bool { return c.workloads == nil || c.workloads[name] }

// cellResult is one measurement: one workload, one store, one setting.
type cellResult struct {
	backend, workload, impl string
	ours, floor             bool
	size, callers, rows     int
	ops                     int
	opsPerSec               float64   // median of the rounds
	rates                   []float64 // ops/s of each round, in the order the rounds ran
	spread                  float64   // interquartile range of the rounds over their median
	p50, p99                time.Duration
	allocs                  float64 // heap allocations per operation
	failed                  int
	firstErr                string
	writes                  int64   // rows the database wrote during the cell; -1 unknown
	cpuBusy                 float64 // busy share of the machine's CPU during the rounds; -1 unknown
	// what this process wrote per operation during the rounds (see
	// sampleIO), in bytes and write calls; -1 unknown
	wroteBytes, wroteCalls float64
}

type backendSetup struct {
	name  string
	impls func(ctx context.Context) ([]*impl, error)
}

func runOps(ctx context.Context, out io.Writer, pg *postgres, cfg opsConfig) ([]cellResult, error) {
	var setups []backendSetup
	if cfg.only != "postgres" {
		setups = append(setups, backendSetup{"SQLite", func(ctx context.Context) ([]*impl, error) {
			return sqliteImpls(ctx, cfg.sqliteReadConns)
		}})
	}
	if pg != nil {
		setups = append(setups, backendSetup{"PostgreSQL", func(ctx context.Context) ([]*impl, error) {
			return postgresImpls(ctx, pg, maxOf(cfg.callers))
		}})
	}
	tok := makeTokens(max(cfg.rows, cfg.bigRows), cfg.fresh)
	var results []cellResult
	for _, b := range setups {
		impls, err := b.impls(ctx)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", b.name, err)
		}
		envs := make([]*cellEnv, len(impls))
		for i, im := range impls {
			envs[i] = &cellEnv{im: im, tok: tok, cur: &cursor{}, http: handler(im.store)}
		}
		run := func(rows, size int, onlyBig bool) error {
			variants := sessionBlobs(size, 16)
			data := variants[0]
			logins := loginBlobs(size, loginUsers)
			phase := func(wl workload) bool { return (!onlyBig || wl.big) && cfg.runs(wl.name) }
			for _, e := range envs {
				if !slices.ContainsFunc(workloads, func(wl workload) bool { return phase(wl) && e.im.runs(wl.name) }) {
					continue // nothing of this phase for it: no need for the rows
				}
				e.variants, e.logins = variants, logins
				fmt.Fprintf(out, "ops: %s: seeding %d rows of %d B for %s\n", b.name, rows, len(data), e.im.name)
				if err := e.im.seed(ctx, rows, data); err != nil {
					return fmt.Errorf("%s seed: %w", e.im.name, err)
				}
				e.rows, e.data = rows, data
			}
			for _, wl := range workloads {
				if !phase(wl) {
					continue
				}
				for _, callers := range cfg.callers {
					var cells []*cell
					for _, e := range envs {
						if e.im.runs(wl.name) {
							e.expiry = time.Now().Add(24 * time.Hour)
							cells = append(cells, newCell(ctx, e, wl, callers, cfg))
						}
					}
					runRounds(cells, cfg.rounds)
					for _, c := range cells {
						r := c.result()
						r.backend, r.size, r.rows = b.name, len(data), rows
						fmt.Fprintf(out, "  %-20s %5d B %2d callers %-22s %9.0f ops/s  p99 %8v  %5.1f allocs/op  failed %d %s\n",
							wl.name, len(data), callers, c.e.im.name, r.opsPerSec, r.p99.Round(time.Microsecond), r.allocs, r.failed, firstLine(r.firstErr))
						results = append(results, r)
					}
				}
			}
			return nil
		}
		for _, size := range cfg.sizes {
			if err := run(cfg.rows, size, false); err != nil {
				return nil, err
			}
		}
		if b.name == "SQLite" && cfg.runs("Commit update") {
			// 32 goroutines writing at once: SQLite's "database is locked"
			// shows up here if anywhere.
			data := sessionBlobs(cfg.sizes[0], 1)[0]
			var cells []*cell
			for _, e := range envs {
				if e.im.only != nil {
					continue
				}
				if err := e.im.seed(ctx, cfg.rows, data); err != nil {
					return nil, err
				}
				e.rows, e.data, e.expiry = cfg.rows, data, time.Now().Add(24*time.Hour)
				cells = append(cells, newCell(ctx, e, workloadNamed("Commit update"), 32, cfg))
			}
			runRounds(cells, cfg.rounds)
			for _, c := range cells {
				r := c.result()
				r.backend, r.size, r.rows = b.name, len(data), cfg.rows
				fmt.Fprintf(out, "  %-20s %5d B %2d callers %-22s %9.0f ops/s  failed %d %s\n",
					r.workload, r.size, 32, c.e.im.name, r.opsPerSec, r.failed, firstLine(r.firstErr))
				results = append(results, r)
			}
		}
		if cfg.bigRows > 0 {
			if err := run(cfg.bigRows, cfg.sizes[0], true); err != nil {
				return nil, err
			}
		}
		if cfg.bigRows > 0 && cfg.runs("Find hit") {
			side, err := sideBySide(ctx, out, b, envs, tok, cfg)
			if err != nil {
				return nil, err
			}
			results = append(results, side...)
		}
		for _, im := range impls {
			im.close()
		}
	}
	return results, nil
}

// sideBySideWorkload names the cells that measure how Find's cost grows
// with the table: the same store on a small and on a big table, rounds
// taken in turn.
const sideBySideWorkload = "Find hit, small and big table side by side"

// sideBySide measures Find hit on our store and on the floor, each on its
// big table (envs, just measured at cfg.bigRows) and on a twin table of
// cfg.rows rows, all four taking their rounds in turn, so that the growth
// from small to big compares rounds that ran moments apart.
func sideBySide(ctx context.Context, out io.Writer, b backendSetup, envs []*cellEnv, tok *tokens, cfg opsConfig) ([]cellResult, error) {
	twins, err := b.impls(ctx)
	if err != nil {
		return nil, err
	}
	defer func() {
		for _, im := range twins {
			im.close()
		}
	}()
	data := sessionBlobs(cfg.sizes[0], 1)[0]
	var pair []*cellEnv
	for _, e := range envs {
		if e.im.floor || e.im.ours && e.im.variant == "" {
			pair = append(pair, e)
		}
	}
	var side []*cellEnv
	for _, big := range pair {
		for _, im := range twins {
			if im.name != big.im.name {
				continue
			}
			fmt.Fprintf(out, "ops: %s: seeding %d rows of %d B for %s (the small twin)\n", b.name, cfg.rows, len(data), im.name)
			if err := im.seed(ctx, cfg.rows, data); err != nil {
				return nil, err
			}
			side = append(side, big, &cellEnv{im: im, tok: tok, cur: &cursor{}, rows: cfg.rows, data: data})
		}
	}
	var results []cellResult
	for _, callers := range cfg.callers {
		cells := make([]*cell, len(side))
		for i, e := range side {
			cells[i] = newCell(ctx, e, workloadNamed("Find hit"), callers, cfg)
		}
		runRounds(cells, cfg.rounds)
		for _, c := range cells {
			r := c.result()
			r.workload, r.backend, r.size, r.rows = sideBySideWorkload, b.name, len(data), c.e.rows
			fmt.Fprintf(out, "  %-20s %5d B %2d callers %-22s %7d rows %9.0f ops/s\n", "Find hit side by side", r.size, callers, c.e.im.name, r.rows, r.opsPerSec)
			results = append(results, r)
		}
	}
	return results, nil
}

// runRounds runs the given number of measured rounds of every cell, going
// round the cells and starting each round with a different one, so that
// drift on a shared machine falls on all of them alike. A cell's first
// round comes after its preparation and warm-up.
func runRounds(cells []*cell, rounds int) {
	for round := range rounds {
		for i := range cells {
			cells[(round+i)%len(cells)].round(round == 0)
		}
	}
}

// loginUsers is how many users the Commit new workload logs in, a session
// each time, round robin.
const loginUsers = 1000

func maxOf(xs []int) int {
	m := 0
	for _, x := range xs {
		m = max(m, x)
	}
	return m
}

// cell measures one workload with some callers against one store, over
// several rounds.
type cell struct {
	ctx     context.Context
	e       *cellEnv
	wl      workload
	cfg     opsConfig
	workers []*worker
	hist    *latencies
	window  time.Duration
	rates   []float64 // ops/s of each round
	mallocs uint64
	writes  int64
	cpu     tally // of sampleCPU
	io      tally // of sampleIO
	prepErr error // of the workload's prepare or refill: the cell stops
	// lastLoop is how long the last loop of operations ran (warm-up or
	// round), for the workload's refill.
	lastLoop time.Duration
}

func newCell(ctx context.Context, e *cellEnv, wl workload, callers int, cfg opsConfig) *cell {
	c := &cell{ctx: ctx, e: e, wl: wl, cfg: cfg, hist: &latencies{}, workers: make([]*worker, callers)}
	for i := range c.workers {
		c.workers[i] = &worker{rng: rand.New(rand.NewPCG(uint64(i), uint64(time.Now().UnixNano())))}
	}
	return c
}

// round runs one measured round of cfg.cell/cfg.rounds, after the
// workload's preparation and a warm-up when first.
func (c *cell) round(first bool) {
	if c.prepErr != nil {
		return
	}
	roundTime := c.cfg.cell / time.Duration(c.cfg.rounds)
	if first {
		if c.wl.prepare != nil {
			if c.prepErr = c.wl.prepare(c.e); c.prepErr != nil {
				return
			}
		}
		if c.prepErr = c.refill(0, c.cfg.warmup); c.prepErr != nil {
			return
		}
		c.loop(c.cfg.warmup, nil)
		c.lastLoop = c.cfg.warmup
	}
	if c.prepErr = c.refill(c.lastLoop, roundTime); c.prepErr != nil {
		return
	}
	hist := make([]*latencies, len(c.workers))
	for i := range hist {
		hist[i] = &latencies{}
	}
	var before, after runtime.MemStats
	var writesBefore int64
	if c.e.im.writes != nil {
		writesBefore = c.e.im.writes()
	}
	runtime.GC()
	runtime.ReadMemStats(&before)
	cpuBefore, ioBefore := sampleCPU(), sampleIO()
	start := time.Now()
	c.loop(roundTime, hist)
	took := time.Since(start)
	c.lastLoop = took
	c.cpu.add(cpuBefore, sampleCPU())
	c.io.add(ioBefore, sampleIO())
	c.window += took
	var ops int64
	for _, h := range hist {
		ops += h.n
	}
	c.rates = append(c.rates, float64(ops)/took.Seconds())
	if debugRounds {
		fmt.Printf("    round %s %s %d: %.0f\n", c.wl.name, c.e.im.name, len(c.workers), float64(ops)/took.Seconds())
	}
	runtime.ReadMemStats(&after)
	c.mallocs += after.Mallocs - before.Mallocs
	if c.e.im.writes != nil {
		c.writes += c.e.im.writes() - writesBefore
	}
	for _, h := range hist {
		c.hist.merge(h)
	}
}

// refill runs the workload's refill, if it has one, before a loop of next.
func (c *cell) refill(last, next time.Duration) error {
	if c.wl.refill == nil {
		return nil
	}
	return c.wl.refill(c.e, last, next)
}

func (c *cell) loop(d time.Duration, hist []*latencies) {
	var wg sync.WaitGroup
	deadline := time.Now().Add(d)
	for i, w := range c.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) && c.ctx.Err() == nil {
				start := time.Now()
				err := c.wl.op(c.e, w)
				if hist != nil {
					hist[i].add(time.Since(start), err)
				}
			}
		}()
	}
	wg.Wait()
}

func (c *cell) result() cellResult {
	res := cellResult{workload: c.wl.name, impl: c.e.im.name, ours: c.e.im.ours, floor: c.e.im.floor,
		callers: len(c.workers), writes: -1, cpuBusy: cpuShare(c.cpu), wroteBytes: -1, wroteCalls: -1}
	if c.prepErr != nil {
		res.failed, res.firstErr = 1, "prepare or refill: "+c.prepErr.Error()
		return res
	}
	if c.e.im.writes != nil {
		res.writes = c.writes
	}
	s := c.hist.summarize(c.window)
	res.ops, res.opsPerSec, res.p50, res.p99 = s.ops, median(c.rates), s.p50, s.p99
	res.rates = c.rates
	res.spread = spread(c.rates)
	res.failed, res.firstErr = s.failed, s.firstErr
	res.wroteBytes, res.wroteCalls = ioPerOp(c.io, s.ops+s.failed)
	if s.ops+s.failed > 0 {
		res.allocs = float64(c.mallocs) / float64(s.ops+s.failed)
	}
	return res
}

var debugRounds = os.Getenv("BENCH_DEBUG_ROUNDS") != ""

// spread is the interquartile range of xs relative to their median: how
// much the rounds of one cell disagree on this machine.
func spread(xs []float64) float64 {
	if len(xs) < 4 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	q1, q3 := s[len(s)/4], s[3*len(s)/4]
	return (q3 - q1) / median(s)
}

// speedup is how many times faster a ran than b: the median over the
// rounds of a's ops/s divided by b's in the same round (the stores of a
// cell take their rounds in turn, so each pair ran moments apart and shares
// the machine's drift), or the ratio of the medians for cells that did not
// run side by side.
func speedup(a, b cellResult) float64 {
	if len(a.rates) == 0 || len(a.rates) != len(b.rates) {
		if b.opsPerSec == 0 {
			return 0
		}
		return a.opsPerSec / b.opsPerSec
	}
	return median(pairedRatios(a.rates, b.rates))
}

// pairedRatios is a[i] / b[i] for each round i of two cells that took their
// rounds in turn; a and b are of the same length.
func pairedRatios(a, b []float64) []float64 {
	r := make([]float64, len(a))
	for i := range r {
		r[i] = a[i] / b[i]
	}
	return r
}

// median is the middle of xs (the mean of the middle two for an even count).
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
