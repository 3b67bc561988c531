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
	fresh   int // tokens for Commit new / Delete
	rounds  int // rounds per cell, taken in turn across stores
	only    string
}

// cellResult is one measurement: one workload, one store, one setting.
type cellResult struct {
	backend, workload, impl string
	ours, floor             bool
	size, callers, rows     int
	ops                     int
	opsPerSec               float64 // median of the rounds
	spread                  float64 // interquartile range of the rounds over their median
	p50, p99                time.Duration
	allocs                  float64 // heap allocations per operation
	failed                  int
	firstErr                string
	writes                  int64 // rows the database wrote during the cell; -1 unknown
}

type backendSetup struct {
	name  string
	impls func(ctx context.Context) ([]*impl, error)
}

func runOps(ctx context.Context, out io.Writer, pg *postgres, cfg opsConfig) ([]cellResult, error) {
	var setups []backendSetup
	if cfg.only != "postgres" {
		setups = append(setups, backendSetup{"SQLite", sqliteImpls})
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
			for _, e := range envs {
				e.variants = variants
				fmt.Fprintf(out, "ops: %s: seeding %d rows of %d B for %s\n", b.name, rows, len(data), e.im.name)
				if err := e.im.seed(ctx, rows, data); err != nil {
					return fmt.Errorf("%s seed: %w", e.im.name, err)
				}
				e.rows, e.data = rows, data
			}
			for _, wl := range workloads {
				if onlyBig && !wl.big {
					continue
				}
				for _, callers := range cfg.callers {
					var cells []*cell
					for _, e := range envs {
						if e.im.only == nil || e.im.only[wl.name] {
							e.expiry = time.Now().Add(24 * time.Hour)
							cells = append(cells, newCell(ctx, e, wl, callers, cfg))
						}
					}
					// Rounds go round the stores, so that drift on a shared
					// machine falls on all of them alike.
					for round := range cfg.rounds {
						for i := range cells { // each round starts with a different store
							cells[(round+i)%len(cells)].round(round == 0)
						}
					}
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
		if b.name == "SQLite" {
			// 32 goroutines writing at once: SQLite's "database is locked"
			// shows up here if anywhere.
			data := sessionBlobs(cfg.sizes[0], 1)[0]
			for _, e := range envs {
				if e.im.only != nil {
					continue
				}
				if err := e.im.seed(ctx, cfg.rows, data); err != nil {
					return nil, err
				}
				e.rows, e.data, e.expiry = cfg.rows, data, time.Now().Add(24*time.Hour)
				c := newCell(ctx, e, workloadNamed("Commit update"), 32, cfg)
				for round := range cfg.rounds {
					c.round(round == 0)
				}
				r := c.result()
				r.backend, r.size, r.rows = b.name, len(data), cfg.rows
				fmt.Fprintf(out, "  %-20s %5d B %2d callers %-22s %9.0f ops/s  failed %d %s\n",
					r.workload, r.size, 32, e.im.name, r.opsPerSec, r.failed, firstLine(r.firstErr))
				results = append(results, r)
			}
		}
		if cfg.bigRows > 0 {
			if err := run(cfg.bigRows, cfg.sizes[0], true); err != nil {
				return nil, err
			}
		}
		for _, im := range impls {
			im.close()
		}
	}
	return results, nil
}

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
	prepErr error
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
	if first {
		if c.wl.prepare != nil {
			if c.prepErr = c.wl.prepare(c.e); c.prepErr != nil {
				return
			}
		}
		c.loop(c.cfg.warmup, nil)
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
	start := time.Now()
	c.loop(c.cfg.cell/time.Duration(c.cfg.rounds), hist)
	took := time.Since(start)
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
		callers: len(c.workers), writes: -1}
	if c.prepErr != nil {
		res.failed, res.firstErr = 1, "prepare: "+c.prepErr.Error()
		return res
	}
	if c.e.im.writes != nil {
		res.writes = c.writes
	}
	s := c.hist.summarize(c.window)
	res.ops, res.opsPerSec, res.p50, res.p99 = s.ops, median(c.rates), s.p50, s.p99
	res.spread = spread(c.rates)
	res.failed, res.firstErr = s.failed, s.firstErr
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
