package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sessionsql/sessionsql"
)

// liveToken names the i-th live session the benchmarks seed.
func liveToken(i int) string { return fmt.Sprintf("live-%07d", i) }

// foreground is a paced find/commit load on live sessions: workers each do
// a Find then a Commit (same data, expiry pushed forward) at a fixed total
// rate, and record every operation's latency in the current phase.
type foreground struct {
	st      *sessionsql.Store
	live    int
	workers int
	rate    int // operations per second, all workers together
	phase   atomic.Pointer[latencies]
	stop    context.CancelFunc
	wg      sync.WaitGroup
}

func startForeground(st *sessionsql.Store, live, workers, rate int) *foreground {
	f := &foreground{st: st, live: live, workers: workers, rate: rate}
	f.phase.Store(&latencies{}) // warm-up, discarded
	ctx, cancel := context.WithCancel(context.Background())
	f.stop = cancel
	period := time.Duration(float64(time.Second) * float64(workers) / float64(rate) * 2) // two ops per tick
	for w := range workers {
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			f.work(ctx, w, period)
		}()
	}
	return f
}

func (f *foreground) work(ctx context.Context, w int, period time.Duration) {
	rng := rand.New(rand.NewPCG(uint64(w), 42))
	tick := time.NewTicker(period)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		tok := liveToken(rng.IntN(f.live))
		rec := f.phase.Load()
		start := time.Now()
		data, found, err := f.st.FindCtx(ctx, tok)
		if ctx.Err() != nil {
			return
		}
		if err == nil && !found {
			err = fmt.Errorf("live session %s not found", tok)
		}
		rec.add(time.Since(start), err)
		if err != nil {
			continue
		}
		start = time.Now()
		err = f.st.CommitCtx(ctx, tok, data, time.Now().Add(2*time.Hour))
		if ctx.Err() != nil {
			return
		}
		rec.add(time.Since(start), err)
	}
}

// measure records the load into a fresh collection until fn returns, and
// reports fn's duration with the collection.
func (f *foreground) measure(fn func()) (*latencies, time.Duration) {
	rec := &latencies{}
	f.phase.Store(rec)
	start := time.Now()
	fn()
	d := time.Since(start)
	f.phase.Store(&latencies{})
	return rec, d
}

func (f *foreground) close() {
	f.stop()
	f.wg.Wait()
}
