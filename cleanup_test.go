package sessionsql

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeTable is a Deleter over a count of expired rows. Each call can be
// scripted: an error to return, or a block until the context ends.
type fakeTable struct {
	mu      sync.Mutex
	expired int64
	calls   int
	script  []error       // errors for the next calls, consumed in order; nil = delete
	block   bool          // block every call until ctx is done
	entered chan struct{} // receives on every call when non-nil
}

func (f *fakeTable) DeleteExpired(ctx context.Context, limit int) (int64, error) {
	f.mu.Lock()
	f.calls++
	entered, block := f.entered, f.block
	var scripted error
	if len(f.script) > 0 {
		scripted, f.script = f.script[0], f.script[1:]
	}
	f.mu.Unlock()
	if entered != nil {
		entered <- struct{}{}
	}
	if block {
		<-ctx.Done()
		return 0, ctx.Err()
	}
	if scripted != nil {
		return 0, scripted
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	n := min(int64(limit), f.expired)
	f.expired -= n
	return n, nil
}

func (f *fakeTable) left() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.expired
}

// manualTime drives a Reaper's waits by hand: every wait the reaper asks for
// arrives on waits, and returns when the test calls release (or the
// reaper's context ends). now advances only with advance.
type manualTime struct {
	mu      sync.Mutex
	now     time.Time
	waits   chan time.Duration
	release chan struct{}
}

func newManualTime() *manualTime {
	return &manualTime{
		now:     time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC),
		waits:   make(chan time.Duration),
		release: make(chan struct{}),
	}
}

func (m *manualTime) Now() time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.now
}

func (m *manualTime) Advance(d time.Duration) {
	m.mu.Lock()
	m.now = m.now.Add(d)
	m.mu.Unlock()
}

func (m *manualTime) sleep(ctx context.Context, d time.Duration) error {
	select {
	case m.waits <- d:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-m.release:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// nextWait returns the duration of the reaper's next wait, failing t if
// none comes within a generous bound (a hang, not a timing assertion).
func (m *manualTime) nextWait(t *testing.T) time.Duration {
	t.Helper()
	select {
	case d := <-m.waits:
		return d
	case <-time.After(10 * time.Second):
		t.Fatal("the reaper never asked to wait")
		return 0
	}
}

func (m *manualTime) wake() { m.release <- struct{}{} }

func testReaper(d Deleter, mt *manualTime, cfg ReaperConfig) *Reaper {
	cfg.sleep = mt.sleep
	cfg.now = mt.Now
	return NewReaper(d, cfg)
}

// runs collects OnRun reports.
type runs chan RunStats

func (r runs) next(t *testing.T) RunStats {
	t.Helper()
	select {
	case st := <-r:
		return st
	case <-time.After(10 * time.Second):
		t.Fatal("no run was reported")
		return RunStats{}
	}
}

func TestReaperStopWithoutStartAndTwice(t *testing.T) {
	r := NewReaper(&fakeTable{}, ReaperConfig{})
	r.Stop()
	r.Start()
	r.Start() // no second goroutine
	r.Stop()
	r.Stop()
}

func TestReaperScheduledRunDeletesInBatches(t *testing.T) {
	mt := newManualTime()
	table := &fakeTable{expired: 2500}
	reports := make(runs, 10)
	r := testReaper(table, mt, ReaperConfig{
		Interval:  time.Minute,
		BatchSize: 1000,
		Pause:     5 * time.Millisecond,
		OnRun:     func(st RunStats) { reports <- st },
	})
	r.Start()
	defer r.Stop()

	if first := mt.nextWait(t); first < 0 || first >= time.Minute {
		t.Fatalf("first wait %v, want a random delay in [0, 1m)", first)
	}
	mt.wake()
	for range 2 { // a pause after each full batch
		if p := mt.nextWait(t); p != 5*time.Millisecond {
			t.Fatalf("pause between batches = %v, want 5ms", p)
		}
		mt.wake()
	}
	st := reports.next(t)
	if st.Deleted != 2500 || st.Batches != 3 || st.Err != nil || st.Skipped {
		t.Fatalf("run stats = %+v, want 2500 deleted in 3 batches", st)
	}
	if next := mt.nextWait(t); next < 54*time.Second || next > 66*time.Second {
		t.Fatalf("wait after a run = %v, want 1m ± 10%%", next)
	}
	if got := r.Stats(); got.Runs != 1 || got.TotalDeleted != 2500 || got.Last.Deleted != 2500 {
		t.Fatalf("Stats() = %+v", got)
	}
}

func TestReaperMaxRunTime(t *testing.T) {
	mt := newManualTime()
	table := &fakeTable{expired: 1 << 40}
	reports := make(runs, 10)
	r := testReaper(deleterFunc(func(ctx context.Context, limit int) (int64, error) {
		mt.Advance(time.Second) // every batch takes a second
		return table.DeleteExpired(ctx, limit)
	}), mt, ReaperConfig{
		Interval:   time.Hour,
		BatchSize:  10,
		Pause:      -1,
		MaxRunTime: 5 * time.Second,
		Jitter:     -1,
		OnRun:      func(st RunStats) { reports <- st },
	})
	r.Start()
	defer r.Stop()
	if first := mt.nextWait(t); first != time.Hour {
		t.Fatalf("first wait without jitter = %v, want the interval", first)
	}
	mt.wake()
	st := reports.next(t)
	if st.Batches != 5 || st.Deleted != 50 || st.Duration != 5*time.Second {
		t.Fatalf("run stats = %+v, want it to stop after 5 one-second batches", st)
	}
}

type deleterFunc func(ctx context.Context, limit int) (int64, error)

func (f deleterFunc) DeleteExpired(ctx context.Context, limit int) (int64, error) {
	return f(ctx, limit)
}

func TestReaperSkipsRunWhenLockHeld(t *testing.T) {
	mt := newManualTime()
	table := &fakeTable{expired: 10, script: []error{ErrLockHeld}}
	reports := make(runs, 10)
	r := testReaper(table, mt, ReaperConfig{Interval: time.Minute, Pause: -1, OnRun: func(st RunStats) { reports <- st }})
	r.Start()
	defer r.Stop()
	mt.nextWait(t)
	mt.wake()
	st := reports.next(t)
	if !st.Skipped || st.Err != nil || st.Deleted != 0 {
		t.Fatalf("run while another instance holds the lock = %+v, want skipped without error", st)
	}
	if table.left() != 10 {
		t.Fatal("a skipped run deleted rows")
	}
	if next := mt.nextWait(t); next < 54*time.Second {
		t.Fatalf("after a skipped run the reaper waits %v, want a normal interval", next)
	}
}

func TestRunOnceWaitsForLock(t *testing.T) {
	mt := newManualTime()
	table := &fakeTable{expired: 2500, script: []error{ErrLockHeld, ErrLockHeld}}
	r := testReaper(table, mt, ReaperConfig{BatchSize: 1000, Pause: -1, MaxRunTime: time.Nanosecond})
	done := make(chan RunStats)
	go func() {
		st, _ := r.RunOnce(context.Background())
		done <- st
	}()
	for range 2 { // it waits and retries while the lock is held
		mt.nextWait(t)
		mt.wake()
	}
	st := <-done
	if st.Deleted != 2500 || st.Err != nil || table.left() != 0 {
		t.Fatalf("RunOnce = %+v, %d left; want everything deleted, MaxRunTime ignored", st, table.left())
	}
}

func TestReaperBacksOffOnErrors(t *testing.T) {
	mt := newManualTime()
	boom := errors.New("connection refused")
	table := &fakeTable{expired: 5, script: []error{boom, boom, boom}}
	var logs bytes.Buffer
	var logMu sync.Mutex
	reports := make(runs, 10)
	r := testReaper(table, mt, ReaperConfig{
		Interval: 10 * time.Minute,
		Pause:    -1,
		Logger:   slog.New(slog.NewTextHandler(&lockedWriter{w: &logs, mu: &logMu}, nil)),
		OnRun:    func(st RunStats) { reports <- st },
	})
	r.Start()
	defer r.Stop()
	mt.nextWait(t)
	var backoffs []time.Duration
	for range 3 {
		mt.wake()
		if st := reports.next(t); !errors.Is(st.Err, boom) {
			t.Fatalf("failed run reported %v, want the deleter's error", st.Err)
		}
		backoffs = append(backoffs, mt.nextWait(t))
	}
	if backoffs[0] != time.Second || backoffs[1] != 2*time.Second || backoffs[2] != 4*time.Second {
		t.Fatalf("retry waits = %v, want 1s 2s 4s", backoffs)
	}
	mt.wake()
	if st := reports.next(t); st.Err != nil || st.Deleted != 5 {
		t.Fatalf("run after the errors cleared = %+v, want 5 deleted", st)
	}
	if next := mt.nextWait(t); next < 9*time.Minute {
		t.Fatalf("after recovering the reaper waits %v, want the interval again", next)
	}
	if s := r.Stats(); s.Failures != 3 || s.Runs != 4 {
		t.Fatalf("Stats() = %+v, want 3 failures in 4 runs", s)
	}
	logMu.Lock()
	defer logMu.Unlock()
	if n := bytes.Count(logs.Bytes(), []byte("level=WARN")); n != 3 || !bytes.Contains(logs.Bytes(), []byte("connection refused")) {
		t.Fatalf("logged %d warnings, want 3 naming the error:\n%s", n, logs.String())
	}
}

type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestReaperBackoffNeverExceedsInterval(t *testing.T) {
	mt := newManualTime()
	boom := errors.New("down")
	table := &fakeTable{script: []error{boom, boom, boom, boom}}
	r := testReaper(table, mt, ReaperConfig{Interval: 3 * time.Second, Pause: -1})
	r.Start()
	defer r.Stop()
	mt.nextWait(t)
	for range 4 {
		mt.wake()
		if d := mt.nextWait(t); d > 3*time.Second {
			t.Fatalf("retry wait %v exceeds the 3s interval", d)
		}
	}
}

// TestReaperStopCancelsBatch: Stop ends a batch that is still running and
// waits for the goroutine.
func TestReaperStopCancelsBatch(t *testing.T) {
	mt := newManualTime()
	table := &fakeTable{block: true, entered: make(chan struct{}, 1)}
	reports := make(runs, 1)
	r := testReaper(table, mt, ReaperConfig{OnRun: func(st RunStats) { reports <- st }})
	r.Start()
	mt.nextWait(t)
	mt.wake()
	<-table.entered // the batch is in flight
	r.Stop()
	select {
	case st := <-reports:
		if !errors.Is(st.Err, context.Canceled) {
			t.Fatalf("the cancelled run reported %v, want context.Canceled", st.Err)
		}
	default:
		t.Fatal("Stop returned before the run finished")
	}
}

// TestReaperStartStopStress starts and stops one reaper from many
// goroutines while RunOnce calls run beside it; -race and leakcheck check it.
func TestReaperStartStopStress(t *testing.T) {
	table := &fakeTable{expired: 1 << 30}
	var deleted atomic.Int64
	r := NewReaper(deleterFunc(func(ctx context.Context, limit int) (int64, error) {
		n, err := table.DeleteExpired(ctx, 3)
		deleted.Add(n)
		return n, err
	}), ReaperConfig{Interval: time.Microsecond, Pause: -1, MaxRunTime: time.Microsecond, BatchSize: 3})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				switch (g + i) % 3 {
				case 0:
					r.Start()
				case 1:
					r.Stop()
				default:
					ctx, cancel := context.WithCancel(context.Background())
					cancel()
					_, _ = r.RunOnce(ctx)
				}
			}
		}()
	}
	wg.Wait()
	r.Stop()
	if s := r.Stats(); s.TotalDeleted != deleted.Load() {
		t.Fatalf("Stats().TotalDeleted = %d, deleter saw %d", s.TotalDeleted, deleted.Load())
	}
}

func TestReaperJitterBounds(t *testing.T) {
	r := NewReaper(&fakeTable{}, ReaperConfig{Interval: time.Minute, Jitter: 10 * time.Second})
	for range 1000 {
		if d := r.nextWait(); d < 50*time.Second || d > 70*time.Second {
			t.Fatalf("nextWait = %v, want within 1m ± 10s", d)
		}
		if d := r.firstWait(); d < 0 || d >= time.Minute {
			t.Fatalf("firstWait = %v, want within [0, 1m)", d)
		}
	}
	fixed := NewReaper(&fakeTable{}, ReaperConfig{Interval: time.Minute, Jitter: -1})
	if fixed.nextWait() != time.Minute || fixed.firstWait() != time.Minute {
		t.Fatal("negative Jitter still jitters")
	}
}

// TestReaperStopsOnClosedStore: a store that was closed under a running
// reaper ends the reaper's goroutine instead of retrying forever.
func TestReaperStopsOnClosedStore(t *testing.T) {
	mt := newManualTime()
	table := &fakeTable{script: []error{fmt.Errorf("teststore: delete expired: %w", ErrClosed)}}
	r := testReaper(table, mt, ReaperConfig{Pause: -1})
	r.Start()
	mt.nextWait(t)
	mt.wake()
	r.mu.Lock()
	done := r.done
	r.mu.Unlock()
	<-done // the goroutine ends by itself
	r.Stop()
	if s := r.Stats(); s.Runs != 1 || s.Failures != 1 {
		t.Fatalf("Stats() = %+v, want the one failed run", s)
	}
}

// TestReaperConcurrentStopsWait: every Stop returns only after the
// goroutine is gone, including one that finds the reaper already stopping.
func TestReaperConcurrentStopsWait(t *testing.T) {
	mt := newManualTime()
	release := make(chan struct{})
	entered := make(chan struct{})
	var finished atomic.Bool
	r := testReaper(deleterFunc(func(ctx context.Context, limit int) (int64, error) {
		close(entered)
		<-ctx.Done()
		<-release // the batch takes a while to notice
		finished.Store(true)
		return 0, ctx.Err()
	}), mt, ReaperConfig{})
	r.Start()
	mt.nextWait(t)
	mt.wake()
	<-entered
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.Stop()
			if !finished.Load() {
				t.Error("Stop returned while the batch was still running")
			}
		}()
	}
	close(release)
	wg.Wait()
}

func TestReaperRunning(t *testing.T) {
	r := NewReaper(&fakeTable{}, ReaperConfig{})
	if r.Running() {
		t.Fatal("a new reaper is running")
	}
	r.Start()
	if !r.Running() {
		t.Fatal("Start did not start it")
	}
	r.Stop()
	if r.Running() {
		t.Fatal("Stop did not stop it")
	}
}

func TestReaperCancelIsNotAFailure(t *testing.T) {
	r := NewReaper(&fakeTable{expired: 5}, ReaperConfig{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := r.RunOnce(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("RunOnce with a cancelled context: %v", err)
	}
	if s := r.Stats(); s.Runs != 1 || s.Failures != 0 {
		t.Fatalf("Stats() = %+v, want one run and no failure", s)
	}
}

func TestReaperClampsJitter(t *testing.T) {
	r := NewReaper(&fakeTable{}, ReaperConfig{Interval: time.Minute, Jitter: 1 << 62})
	for range 100 {
		if d := r.nextWait(); d < 30*time.Second || d > 90*time.Second {
			t.Fatalf("nextWait with a huge Jitter = %v, want within 1m ± 30s", d)
		}
	}
	huge := NewReaper(&fakeTable{}, ReaperConfig{Interval: 1<<63 - 1})
	_ = huge.nextWait() // must not overflow or panic
	_ = huge.firstWait()
}

// TestReaperDutyCycle: a slow batch earns a longer rest, so that a run
// spends at most DutyCycle of its time deleting; a quick one rests Pause.
func TestReaperDutyCycle(t *testing.T) {
	mt := newManualTime()
	table := &fakeTable{expired: 2500}
	calls := 0
	r := testReaper(deleterFunc(func(ctx context.Context, limit int) (int64, error) {
		calls++
		if calls == 1 {
			mt.Advance(40 * time.Millisecond) // a slow batch
		} else {
			mt.Advance(time.Millisecond) // a quick one
		}
		return table.DeleteExpired(ctx, limit)
	}), mt, ReaperConfig{BatchSize: 1000, Pause: 10 * time.Millisecond, DutyCycle: 0.2})
	done := make(chan RunStats)
	go func() {
		st, _ := r.RunOnce(context.Background())
		done <- st
	}()
	if p := mt.nextWait(t); p != 160*time.Millisecond {
		t.Fatalf("rest after a 40ms batch = %v, want 160ms (duty cycle 0.2)", p)
	}
	mt.wake()
	if p := mt.nextWait(t); p != 10*time.Millisecond {
		t.Fatalf("rest after a 1ms batch = %v, want the 10ms Pause", p)
	}
	mt.wake()
	if st := <-done; st.Deleted != 2500 {
		t.Fatalf("run = %+v", st)
	}
}
