package batch

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
)

// testReq is the request of an operation under test: run records which
// batch ran it.
type testReq struct {
	id        int
	statement int // the batch that ran it; 0: never ran
	size      int // how many operations that batch ran
}

type testOp = Op[testReq]

// blockingGroup is a Batcher whose batches wait for a release, so that a
// test decides when each finishes.
type blockingGroup struct {
	g          *Batcher[testReq]
	started    chan []*testOp // a batch began
	release    chan struct{}  // lets one batch finish
	queued     chan struct{}  // an operation joined the queue
	statements atomic.Int64
}

func newBlockingGroup(slots int) *blockingGroup {
	b := &blockingGroup{started: make(chan []*testOp, 100), release: make(chan struct{}), queued: make(chan struct{}, 100)}
	b.g = New(Config[testReq]{Slots: slots, Max: 64, Run: func(ctx context.Context, ops []*testOp) {
		n := int(b.statements.Add(1))
		for _, op := range ops {
			op.Req.statement, op.Req.size = n, len(ops)
		}
		b.started <- ops
		<-b.release
	}})
	b.g.OnQueue = func() { b.queued <- struct{}{} }
	return b
}

func newTestOp(ctx context.Context, id int) *testOp {
	op := NewOp[testReq]()
	op.Req.id = id
	op.Ctx = ctx
	return op
}

// group returns a Batcher of slots whose batches run run.
func group(slots int, run func(context.Context, []*testOp)) *Batcher[testReq] {
	return New(Config[testReq]{Slots: slots, Max: 64, Run: run})
}

// TestBatcherLoneOperationRunsAlone: with a slot free an operation runs at
// once, by itself, on the caller's goroutine.
func TestBatcherLoneOperationRunsAlone(t *testing.T) {
	ran, statements := 0, 0
	g := group(1, func(_ context.Context, ops []*testOp) { ran, statements = ran+len(ops), statements+1 })
	for i := range 3 {
		op := newTestOp(context.Background(), i)
		if !g.Do(op) {
			t.Fatal("do reported the operation unrun")
		}
	}
	if ran != 3 || statements != 3 {
		t.Fatalf("3 operations one after another: %d ran in %d statements; want 3 in 3", ran, statements)
	}
}

// TestBatcherQueuedOperationsShareOneStatement: while the only slot is
// busy, arriving operations queue, and the next statement runs them all;
// each caller returns once its own statement is done.
func TestBatcherQueuedOperationsShareOneStatement(t *testing.T) {
	b := newBlockingGroup(1)
	first := newTestOp(context.Background(), 0)
	done := make(chan *testOp, 10)
	go func() { b.g.Do(first); done <- first }()
	<-b.started // the slot is busy

	const queued = 5
	for i := 1; i <= queued; i++ {
		op := newTestOp(context.Background(), i)
		go func() { b.g.Do(op); done <- op }()
		<-b.queued
	}
	b.release <- struct{}{} // the first statement ends
	if op := <-done; op != first {
		t.Fatalf("operation %d returned first, want the one whose statement finished", op.Req.id)
	}
	batch := <-b.started
	if len(batch) != queued {
		t.Fatalf("the next statement ran %d operations, want the %d queued", len(batch), queued)
	}
	b.release <- struct{}{}
	seen := map[int]bool{}
	for range queued {
		op := <-done
		if op.Req.statement != 2 || op.Req.size != queued {
			t.Fatalf("operation %d ran in statement %d of %d operations, want statement 2 of %d", op.Req.id, op.Req.statement, op.Req.size, queued)
		}
		seen[op.Req.id] = true
	}
	if len(seen) != queued {
		t.Fatalf("returned %v, want all %d queued operations", seen, queued)
	}
	if b.g.busy != 0 || len(b.g.queue) != 0 {
		t.Fatalf("after everything finished: %d slots busy, %d queued, want none", b.g.busy, len(b.g.queue))
	}
}

// TestBatcherAbandonedWhileQueued: an operation whose context ends while it
// is still queued returns at once, unrun, and the next statement leaves it
// out.
func TestBatcherAbandonedWhileQueued(t *testing.T) {
	b := newBlockingGroup(1)
	first := newTestOp(context.Background(), 0)
	firstDone := make(chan bool)
	go func() { firstDone <- b.g.Do(first) }()
	<-b.started

	ctx, cancel := context.WithCancel(context.Background())
	gaveUp := newTestOp(ctx, 1)
	gaveUpDone := make(chan bool)
	go func() { gaveUpDone <- b.g.Do(gaveUp) }()
	<-b.queued
	stays := newTestOp(context.Background(), 2)
	staysDone := make(chan bool)
	go func() { staysDone <- b.g.Do(stays) }()
	<-b.queued

	cancel()
	if ran := <-gaveUpDone; ran {
		t.Fatal("an operation cancelled in the queue reported that it ran")
	}
	b.release <- struct{}{}
	<-firstDone
	batch := <-b.started
	b.release <- struct{}{}
	if ran := <-staysDone; !ran {
		t.Fatal("the operation still waiting did not run")
	}
	if len(batch) != 1 || batch[0] != stays || gaveUp.Req.statement != 0 {
		t.Fatalf("next statement ran %d operations (cancelled one in statement %d), want only the one still waiting", len(batch), gaveUp.Req.statement)
	}
}

// TestBatcherTakenOperationWaitsForItsOutcome: an operation whose context
// ends after its statement started still returns that statement's outcome:
// the statement is not cancelled while another operation in it waits.
func TestBatcherTakenOperationWaitsForItsOutcome(t *testing.T) {
	var statementCtx context.Context
	started, release := make(chan struct{}), make(chan struct{})
	queued := make(chan struct{}, 10)
	g := group(1, func(ctx context.Context, ops []*testOp) {
		if len(ops) > 1 {
			statementCtx = ctx
		}
		started <- struct{}{}
		<-release
	})
	g.OnQueue = func() { queued <- struct{}{} }
	first := newTestOp(context.Background(), 0)
	go g.Do(first)
	<-started

	ctx, cancel := context.WithCancel(context.Background())
	leaving := newTestOp(ctx, 1)
	staying := newTestOp(context.Background(), 2)
	done := make(chan *testOp, 2)
	go func() { g.Do(leaving); done <- leaving }()
	<-queued
	go func() { g.Do(staying); done <- staying }()
	<-queued
	release <- struct{}{} // the grouped statement starts
	<-started
	cancel()
	select {
	case op := <-done:
		t.Fatalf("operation %d returned while its statement was still running", op.Req.id)
	default:
	}
	if err := statementCtx.Err(); err != nil {
		t.Fatalf("the grouped statement's context ended (%v) while one of its operations still waits", err)
	}
	release <- struct{}{}
	<-done
	<-done
}

// TestBatcherStatementCancelledWhenEveryoneLeft: the context of a grouped
// statement ends once the contexts of all its operations have.
func TestBatcherStatementCancelledWhenEveryoneLeft(t *testing.T) {
	ctxA, cancelA := context.WithCancel(context.Background())
	ctxB, cancelB := context.WithCancel(context.Background())
	a, b := newTestOp(ctxA, 1), newTestOp(ctxB, 2)
	ctx, release := joinContexts([]*testOp{a, b})
	defer release()
	cancelA()
	if ctx.Err() != nil {
		t.Fatal("the statement's context ended with one of its two operations still waiting")
	}
	cancelB()
	<-ctx.Done()
	if !errors.Is(ctx.Err(), context.Canceled) {
		t.Fatalf("statement context error %v, want context.Canceled", ctx.Err())
	}
}

// TestBatcherEveryOperationRunsOnce: many goroutines through a group with
// few slots; every operation runs exactly once and returns, none is lost
// or run twice, and the group ends idle.
func TestBatcherEveryOperationRunsOnce(t *testing.T) {
	var mu sync.Mutex
	runs := map[int]int{}
	statements := 0
	g := group(2, func(_ context.Context, ops []*testOp) {
		mu.Lock()
		defer mu.Unlock()
		statements++
		for _, op := range ops {
			runs[op.Req.id]++
		}
	})
	const goroutines, each = 16, 300
	var wg sync.WaitGroup
	for w := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			op := newTestOp(context.Background(), 0)
			for i := range each {
				op.Req.id = w*each + i
				if !g.Do(op) {
					t.Error("an operation with a live context reported unrun")
					return
				}
			}
		}()
	}
	wg.Wait()
	if len(runs) != goroutines*each {
		t.Fatalf("%d distinct operations ran, want %d", len(runs), goroutines*each)
	}
	for id, n := range runs {
		if n != 1 {
			t.Fatalf("operation %d ran %d times", id, n)
		}
	}
	if g.busy != 0 || len(g.queue) != 0 {
		t.Fatalf("group not idle afterwards: %d busy, %d queued", g.busy, len(g.queue))
	}
	t.Logf("%d operations in %d statements", goroutines*each, statements)
}

// TestBatcherStatementPanics: a statement that panics gives every operation
// in it an error, passes the slot on, and panics on up its leader's
// goroutine; the group keeps working.
func TestBatcherStatementPanics(t *testing.T) {
	b := newBlockingGroup(1)
	run := b.g.cfg.Run
	b.g.cfg.Run = func(ctx context.Context, ops []*testOp) {
		run(ctx, ops)
		if len(ops) > 1 {
			panic("boom")
		}
	}
	first := newTestOp(context.Background(), 0)
	go b.g.Do(first)
	<-b.started
	ops := []*testOp{newTestOp(context.Background(), 1), newTestOp(context.Background(), 2)}
	panicked := make(chan any, len(ops))
	done := make(chan *testOp, len(ops))
	for _, op := range ops {
		go func() {
			defer func() { panicked <- recover() }()
			b.g.Do(op)
			done <- op
		}()
		<-b.queued
	}
	b.release <- struct{}{}
	<-b.started // the grouped statement, which will panic
	b.release <- struct{}{}
	// The follower is told its outcome before the leader's panic goes up
	// its goroutine, so the two recovered values come in either order.
	recovered := []any{<-panicked, <-panicked}
	if !slices.Contains(recovered, any("boom")) || !slices.Contains(recovered, nil) {
		t.Fatalf("the two goroutines recovered %v, want the statement's panic on the leader's and nothing on the follower's", recovered)
	}
	follower := <-done
	if !errors.Is(follower.Err, ErrPanicked) {
		t.Fatalf("the other operation of the panicked statement got %v, want ErrPanicked", follower.Err)
	}
	after := newTestOp(context.Background(), 3)
	go func() { b.g.Do(after); done <- after }()
	<-b.started
	b.release <- struct{}{}
	if op := <-done; op != after || after.Err != nil || b.g.busy != 0 {
		t.Fatalf("after the panic: op %d err %v, %d slots busy; want the next operation run and the group idle", op.Req.id, op.Err, b.g.busy)
	}
}

// TestBatcherRetryRunsAlone: ops a batch marks for a retry run again each
// by itself, the others' on goroutines of their own, and each caller gets
// its own retry's outcome.
func TestBatcherRetryRunsAlone(t *testing.T) {
	b := newBlockingGroup(1)
	var alone sync.Map // id -> how often it ran alone
	b.g.cfg.Run = func(ctx context.Context, ops []*testOp) {
		for _, op := range ops {
			if len(ops) > 1 {
				op.Retry() // the shared batch failed as a whole
			}
		}
		b.started <- ops
		<-b.release
	}
	b.g.cfg.Alone = func(_ context.Context, op *testOp) {
		n, _ := alone.LoadOrStore(op.Req.id, new(atomic.Int64))
		n.(*atomic.Int64).Add(1)
		op.Err = errors.New("own outcome")
		op.Req.size = 1
	}
	first := newTestOp(context.Background(), 0)
	done := make(chan *testOp, 4)
	go func() { b.g.Do(first); done <- first }()
	<-b.started
	for i := 1; i <= 3; i++ {
		op := newTestOp(context.Background(), i)
		go func() { b.g.Do(op); done <- op }()
		<-b.queued
	}
	b.release <- struct{}{}
	<-done // the first, alone from the start
	<-b.started
	b.release <- struct{}{}
	for range 3 {
		op := <-done
		if op.Err == nil || op.Req.size != 1 {
			t.Fatalf("operation %d of a failed batch: err %v, size %d; want its own retry's outcome", op.Req.id, op.Err, op.Req.size)
		}
	}
	for i := 1; i <= 3; i++ {
		n, ok := alone.Load(i)
		if !ok || n.(*atomic.Int64).Load() != 1 {
			t.Fatalf("operation %d ran alone %v times, want once", i, n)
		}
	}
}

// TestBatcherClose: Close gives the queued ops its error, waits for the
// batch in flight, and refuses every later op with the same error.
func TestBatcherClose(t *testing.T) {
	b := newBlockingGroup(1)
	closedErr := errors.New("closed")
	first := newTestOp(context.Background(), 0)
	firstDone := make(chan bool)
	go func() { firstDone <- b.g.Do(first) }()
	<-b.started
	queued := newTestOp(context.Background(), 1)
	queuedDone := make(chan bool)
	go func() { queuedDone <- b.g.Do(queued) }()
	<-b.queued

	closed := make(chan struct{})
	go func() { b.g.Close(closedErr); close(closed) }()
	if reusable := <-queuedDone; !reusable || !errors.Is(queued.Err, closedErr) || queued.Req.statement != 0 {
		t.Fatalf("a queued op at Close: reusable %v, err %v, ran in batch %d; want Close's error, unrun", reusable, queued.Err, queued.Req.statement)
	}
	select {
	case <-closed:
		t.Fatal("Close returned while a batch was still running")
	default:
	}
	b.release <- struct{}{}
	<-firstDone
	<-closed
	later := newTestOp(context.Background(), 2)
	if b.g.Do(later); !errors.Is(later.Err, closedErr) || later.Req.statement != 0 {
		t.Fatalf("an op after Close: err %v, ran in batch %d; want Close's error, unrun", later.Err, later.Req.statement)
	}
	b.g.Close(closedErr) // again: returns at once
}
