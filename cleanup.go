package sessionsql

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"
)

// Deleter is the one thing a Reaper needs from a store: deleting a bounded
// batch of expired sessions. Every sessionsql store implements it.
type Deleter interface {
	DeleteExpired(ctx context.Context, limit int) (int64, error)
}

// Defaults used when a ReaperConfig field is zero.
const (
	DefaultReaperInterval   = 5 * time.Minute
	DefaultReaperBatchSize  = 250
	DefaultReaperPause      = 10 * time.Millisecond
	DefaultReaperDutyCycle  = 0.2
	DefaultReaperMaxRunTime = time.Minute
	defaultMaxBackoff       = time.Minute
	firstBackoff            = time.Second
	maxInterval             = 100 * 365 * 24 * time.Hour // keeps jitter arithmetic far from overflow
)

// ReaperConfig tunes a Reaper. The zero value means "all defaults".
type ReaperConfig struct {
	// Interval is the time between the end of one run and the start of the
	// next. Zero means DefaultReaperInterval (5 minutes).
	Interval time.Duration

	// Jitter spreads runs so that instances started together do not delete
	// at the same moment: each wait is Interval plus a random offset in
	// [-Jitter, +Jitter], and the first run comes after a random delay in
	// [0, Interval). Zero means Interval/10; negative disables jitter (the
	// first run then comes after one Interval). It is capped at Interval/2.
	Jitter time.Duration

	// BatchSize is the most rows one batch deletes, each batch in its own
	// short transaction. Zero means DefaultReaperBatchSize (250).
	BatchSize int

	// Pause is the shortest rest between two batches of one run, so that
	// writers waiting for the table get their turn. Zero means
	// DefaultReaperPause (10ms); negative means no pause at all.
	Pause time.Duration

	// DutyCycle caps the share of time a run spends deleting: after a batch
	// that took d, the reaper rests at least d*(1-DutyCycle)/DutyCycle, so a
	// slow batch on a busy database earns a longer rest. Zero means
	// DefaultReaperDutyCycle (0.2: at most a fifth of the time); 1 or more
	// turns the adaptive rest off.
	DutyCycle float64

	// MaxRunTime bounds one scheduled run: once it has passed, the run ends
	// after the current batch and the rest waits for the next run. Zero
	// means DefaultReaperMaxRunTime (1 minute); negative means no bound.
	// RunOnce ignores it and runs until nothing expired is left.
	MaxRunTime time.Duration

	// Logger receives run failures (Warn) and, at Debug, a line per run.
	// Nil discards everything.
	Logger *slog.Logger

	// OnRun, when set, is called after every run, scheduled or RunOnce,
	// with that run's numbers. Scheduled runs call it on the reaper's own
	// goroutine, which Stop waits for: keep it quick, and never call Stop
	// (or the store's Close) from it.
	OnRun func(RunStats)

	// sleep waits for d or until ctx is done; tests replace it to drive
	// time by hand. Nil means a real timer.
	sleep func(ctx context.Context, d time.Duration) error
	// now reads the clock for durations; nil means time.Now.
	now func() time.Time
}

// RunStats describes one reaper run.
type RunStats struct {
	Started  time.Time     // when the run began
	Duration time.Duration // how long it took
	Deleted  int64         // rows deleted in all its batches
	Batches  int           // DELETE statements issued, the last one included
	Skipped  bool          // another instance was deleting; this run left it the work
	Err      error         // why the run stopped early, nil when it finished
}

// ReaperStats sums up every run of a Reaper since it was created.
type ReaperStats struct {
	Runs         int64    // runs finished, including skipped and failed ones
	Failures     int64    // runs that ended with an error other than cancellation
	TotalDeleted int64    // rows deleted by all runs
	Last         RunStats // the most recent run
}

// Reaper deletes expired sessions, and the tombstones of deleted ones
// once past their time, from a store in bounded batches (its counts hold
// both), in the background (Start/Stop) or on demand (RunOnce). It is safe for concurrent
// use; at most one run of a given Reaper is in progress at any time, and a
// PostgreSQL store additionally makes sure only one instance across all
// processes sharing the table deletes at a time.
type Reaper struct {
	deleter Deleter
	cfg     ReaperConfig
	log     *slog.Logger

	runSlot chan struct{} // holds one token while a run is in progress

	mu      sync.Mutex // guards the fields below
	cancel  context.CancelFunc
	done    chan struct{}
	stats   ReaperStats
	running bool
}

// NewReaper returns a Reaper for d with cfg's zero fields filled in by the
// defaults. It does nothing until Start or RunOnce is called.
func NewReaper(d Deleter, cfg ReaperConfig) *Reaper {
	if cfg.Interval <= 0 {
		cfg.Interval = DefaultReaperInterval
	}
	if cfg.Jitter == 0 {
		cfg.Jitter = cfg.Interval / 10
	}
	cfg.Interval = min(cfg.Interval, maxInterval)
	cfg.Jitter = min(max(cfg.Jitter, 0), cfg.Interval/2)
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = DefaultReaperBatchSize
	}
	if cfg.Pause == 0 {
		cfg.Pause = DefaultReaperPause
	}
	if cfg.DutyCycle <= 0 {
		cfg.DutyCycle = DefaultReaperDutyCycle
	}
	if cfg.MaxRunTime == 0 {
		cfg.MaxRunTime = DefaultReaperMaxRunTime
	}
	if cfg.sleep == nil {
		cfg.sleep = sleepContext
	}
	if cfg.now == nil {
		cfg.now = time.Now
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &Reaper{deleter: d, cfg: cfg, log: log, runSlot: make(chan struct{}, 1)}
}

// Start launches the background goroutine. Calling Start on a running
// Reaper does nothing; a stopped Reaper can be started again.
func (r *Reaper) Start() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.running {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	r.done = make(chan struct{})
	r.running = true
	go r.loop(ctx, r.done)
}

// Stop cancels the current batch, if any, and waits for the background
// goroutine to return. Stop without Start and repeated or concurrent Stops
// are fine; each one returns only once the goroutine is gone.
func (r *Reaper) Stop() {
	r.mu.Lock()
	if r.running {
		r.running = false
		r.cancel()
	}
	done := r.done
	r.mu.Unlock()
	if done != nil {
		<-done // also when another Stop cancelled it: every Stop waits
	}
}

// Running reports whether the background goroutine has been started and
// not stopped since.
func (r *Reaper) Running() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.running
}

// Stats returns the totals of every run so far and the last run's numbers.
func (r *Reaper) Stats() ReaperStats {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stats
}

// RunOnce deletes the sessions that are expired now, batch by batch, until
// a batch comes back short, and returns the run's numbers; rows a live
// request holds at that moment are left for the next run. It ignores
// MaxRunTime. It is meant for cron jobs and serverless functions that keep
// no goroutine alive. If another instance is deleting from the same table,
// RunOnce waits for it between attempts until it can run or ctx is done.
// The returned error is also in RunStats.Err.
func (r *Reaper) RunOnce(ctx context.Context) (RunStats, error) {
	st := r.run(ctx, false)
	return st, st.Err
}

func (r *Reaper) loop(ctx context.Context, done chan<- struct{}) {
	defer close(done)
	wait := r.firstWait()
	backoff := min(firstBackoff, r.maxBackoff())
	for {
		if err := r.cfg.sleep(ctx, wait); err != nil {
			return
		}
		st := r.run(ctx, true)
		if ctx.Err() != nil {
			return
		}
		if errors.Is(st.Err, ErrClosed) {
			r.log.Info("sessionsql: store closed; reaper stopping")
			return
		}
		if st.Err != nil {
			r.log.Warn("sessionsql: deleting expired sessions failed; retrying",
				"err", st.Err, "retry_in", backoff, "deleted", st.Deleted)
			wait = backoff
			backoff = min(backoff*2, r.maxBackoff())
			continue
		}
		backoff = min(firstBackoff, r.maxBackoff())
		wait = r.nextWait()
	}
}

// run performs one run. scheduled runs honour MaxRunTime and give up when
// another instance holds the lock; RunOnce runs wait for it instead.
func (r *Reaper) run(ctx context.Context, scheduled bool) RunStats {
	st := RunStats{Started: r.cfg.now()}
	select {
	case r.runSlot <- struct{}{}:
		defer func() { <-r.runSlot }()
	case <-ctx.Done():
		st.Err = ctx.Err()
		r.record(st)
		return st
	}
	for {
		if err := ctx.Err(); err != nil {
			st.Err = err
			break
		}
		batchStart := r.cfg.now()
		n, err := r.deleter.DeleteExpired(ctx, r.cfg.BatchSize)
		took := r.cfg.now().Sub(batchStart)
		if errors.Is(err, ErrLockHeld) {
			if scheduled {
				st.Skipped = true
				break
			}
			if err := r.cfg.sleep(ctx, max(r.cfg.Pause, 10*time.Millisecond)); err != nil {
				st.Err = err
				break
			}
			continue
		}
		st.Batches++
		st.Deleted += n
		if err != nil {
			st.Err = err
			break
		}
		if n < int64(r.cfg.BatchSize) {
			break
		}
		if scheduled && r.cfg.MaxRunTime > 0 && r.cfg.now().Sub(st.Started) >= r.cfg.MaxRunTime {
			break
		}
		if pause := r.pauseAfter(took); pause > 0 {
			if err := r.cfg.sleep(ctx, pause); err != nil {
				st.Err = err
				break
			}
		}
	}
	st.Duration = r.cfg.now().Sub(st.Started)
	r.record(st)
	return st
}

func (r *Reaper) record(st RunStats) {
	r.mu.Lock()
	r.stats.Runs++
	if st.Err != nil && !errors.Is(st.Err, context.Canceled) {
		r.stats.Failures++
	}
	r.stats.TotalDeleted += st.Deleted
	r.stats.Last = st
	r.mu.Unlock()

	r.log.Debug("sessionsql: reaper run", "deleted", st.Deleted, "batches", st.Batches,
		"duration", st.Duration, "skipped", st.Skipped, "err", st.Err)
	if r.cfg.OnRun != nil {
		r.cfg.OnRun(st)
	}
}

func (r *Reaper) firstWait() time.Duration {
	if r.cfg.Jitter == 0 {
		return r.cfg.Interval
	}
	return rand.N(r.cfg.Interval)
}

func (r *Reaper) nextWait() time.Duration {
	if r.cfg.Jitter == 0 {
		return r.cfg.Interval
	}
	return max(r.cfg.Interval-r.cfg.Jitter+rand.N(2*r.cfg.Jitter+1), 0)
}

// pauseAfter is the rest after a batch that took took: Pause, or longer
// when the batch was slow enough that Pause would exceed the duty cycle.
func (r *Reaper) pauseAfter(took time.Duration) time.Duration {
	if r.cfg.Pause < 0 {
		return 0
	}
	if r.cfg.DutyCycle >= 1 {
		return r.cfg.Pause
	}
	return max(r.cfg.Pause, time.Duration(float64(took)*(1-r.cfg.DutyCycle)/r.cfg.DutyCycle))
}

func (r *Reaper) maxBackoff() time.Duration {
	return min(r.cfg.Interval, defaultMaxBackoff)
}

// sleepContext waits for d, or until ctx is done, whichever comes first.
func sleepContext(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
