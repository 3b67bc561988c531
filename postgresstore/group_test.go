package postgresstore

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
)

// testOp is an operation of a group under test: run records which
// statement ran it.
type testOp struct {
	member
	id        int
	statement int // the statement that ran it; 0: never ran
	size      int // how many operations that statement ran
}

// blockingGroup is a group whose statements wait for a release, so that a
// test decides when each finishes.
type blockingGroup struct {
	g          *group
	started    chan []*member // a statement began
	release    chan struct{}  // lets one statement finish
	queued     chan struct{}  // an operation joined the queue
	statements atomic.Int64
}

func newBlockingGroup(slots int) *blockingGroup {
	b := &blockingGroup{started: make(chan []*member, 100), release: make(chan struct{}), queued: make(chan struct{}, 100)}
	b.g = &group{slots: slots, run: func(ctx context.Context, ms []*member) {
		n := int(b.statements.Add(1))
		for _, m := range ms {
			op := m.op.(*testOp)
			op.statement, op.size = n, len(ms)
		}
		b.started <- ms
		<-b.release
	}, onQueue: func() { b.queued <- struct{}{} }}
	return b
}

func newTestOp(ctx context.Context, id int) *testOp {
	op := &testOp{id: id}
	op.init(op)
	op.ctx = ctx
	return op
}

// TestGroupLoneOperationRunsAlone: with a slot free an operation runs at
// once, by itself, on the caller's goroutine.
func TestGroupLoneOperationRunsAlone(t *testing.T) {
	ran, statements := 0, 0
	g := &group{slots: 1, run: func(_ context.Context, ms []*member) { ran, statements = ran+len(ms), statements+1 }}
	for i := range 3 {
		op := newTestOp(context.Background(), i)
		if !g.do(&op.member) {
			t.Fatal("do reported the operation unrun")
		}
	}
	if ran != 3 || statements != 3 {
		t.Fatalf("3 operations one after another: %d ran in %d statements; want 3 in 3", ran, statements)
	}
}

// TestGroupQueuedOperationsShareOneStatement: while the only slot is
// busy, arriving operations queue, and the next statement runs them all;
// each caller returns once its own statement is done.
func TestGroupQueuedOperationsShareOneStatement(t *testing.T) {
	b := newBlockingGroup(1)
	first := newTestOp(context.Background(), 0)
	done := make(chan *testOp, 10)
	go func() { b.g.do(&first.member); done <- first }()
	<-b.started // the slot is busy

	const queued = 5
	for i := 1; i <= queued; i++ {
		op := newTestOp(context.Background(), i)
		go func() { b.g.do(&op.member); done <- op }()
		<-b.queued
	}
	b.release <- struct{}{} // the first statement ends
	if op := <-done; op != first {
		t.Fatalf("operation %d returned first, want the one whose statement finished", op.id)
	}
	batch := <-b.started
	if len(batch) != queued {
		t.Fatalf("the next statement ran %d operations, want the %d queued", len(batch), queued)
	}
	b.release <- struct{}{}
	seen := map[int]bool{}
	for range queued {
		op := <-done
		if op.statement != 2 || op.size != queued {
			t.Fatalf("operation %d ran in statement %d of %d operations, want statement 2 of %d", op.id, op.statement, op.size, queued)
		}
		seen[op.id] = true
	}
	if len(seen) != queued {
		t.Fatalf("returned %v, want all %d queued operations", seen, queued)
	}
	if b.g.busy != 0 || len(b.g.queue) != 0 {
		t.Fatalf("after everything finished: %d slots busy, %d queued, want none", b.g.busy, len(b.g.queue))
	}
}

// TestGroupAbandonedWhileQueued: an operation whose context ends while it
// is still queued returns at once, unrun, and the next statement leaves it
// out.
func TestGroupAbandonedWhileQueued(t *testing.T) {
	b := newBlockingGroup(1)
	first := newTestOp(context.Background(), 0)
	firstDone := make(chan bool)
	go func() { firstDone <- b.g.do(&first.member) }()
	<-b.started

	ctx, cancel := context.WithCancel(context.Background())
	gaveUp := newTestOp(ctx, 1)
	gaveUpDone := make(chan bool)
	go func() { gaveUpDone <- b.g.do(&gaveUp.member) }()
	<-b.queued
	stays := newTestOp(context.Background(), 2)
	staysDone := make(chan bool)
	go func() { staysDone <- b.g.do(&stays.member) }()
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
	if len(batch) != 1 || batch[0] != &stays.member || gaveUp.statement != 0 {
		t.Fatalf("next statement ran %d operations (cancelled one in statement %d), want only the one still waiting", len(batch), gaveUp.statement)
	}
}

// TestGroupTakenOperationWaitsForItsOutcome: an operation whose context
// ends after its statement started still returns that statement's outcome:
// the statement is not cancelled while another operation in it waits.
func TestGroupTakenOperationWaitsForItsOutcome(t *testing.T) {
	var statementCtx context.Context
	started, release := make(chan struct{}), make(chan struct{})
	queued := make(chan struct{}, 10)
	g := &group{slots: 1, onQueue: func() { queued <- struct{}{} }}
	g.run = func(ctx context.Context, ms []*member) {
		if len(ms) > 1 {
			statementCtx = ctx
		}
		started <- struct{}{}
		<-release
	}
	first := newTestOp(context.Background(), 0)
	go g.do(&first.member)
	<-started

	ctx, cancel := context.WithCancel(context.Background())
	leaving := newTestOp(ctx, 1)
	staying := newTestOp(context.Background(), 2)
	done := make(chan *testOp, 2)
	go func() { g.do(&leaving.member); done <- leaving }()
	<-queued
	go func() { g.do(&staying.member); done <- staying }()
	<-queued
	release <- struct{}{} // the grouped statement starts
	<-started
	cancel()
	select {
	case op := <-done:
		t.Fatalf("operation %d returned while its statement was still running", op.id)
	default:
	}
	if err := statementCtx.Err(); err != nil {
		t.Fatalf("the grouped statement's context ended (%v) while one of its operations still waits", err)
	}
	release <- struct{}{}
	<-done
	<-done
}

// TestGroupStatementCancelledWhenEveryoneLeft: the context of a grouped
// statement ends once the contexts of all its operations have.
func TestGroupStatementCancelledWhenEveryoneLeft(t *testing.T) {
	ctxA, cancelA := context.WithCancel(context.Background())
	ctxB, cancelB := context.WithCancel(context.Background())
	a, b := newTestOp(ctxA, 1), newTestOp(ctxB, 2)
	ctx, release := groupContext([]*member{&a.member, &b.member})
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

// TestGroupEveryOperationRunsOnce: many goroutines through a group with
// few slots; every operation runs exactly once and returns, none is lost
// or run twice, and the group ends idle.
func TestGroupEveryOperationRunsOnce(t *testing.T) {
	var mu sync.Mutex
	runs := map[int]int{}
	statements := 0
	g := &group{slots: 2, run: func(_ context.Context, ms []*member) {
		mu.Lock()
		defer mu.Unlock()
		statements++
		for _, m := range ms {
			runs[m.op.(*testOp).id]++
		}
	}}
	const goroutines, each = 16, 300
	var wg sync.WaitGroup
	for w := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			op := newTestOp(context.Background(), 0)
			for i := range each {
				op.id = w*each + i
				if !g.do(&op.member) {
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

// TestGroupStatementPanics: a statement that panics gives every operation
// in it an error, passes the slot on, and panics on up its leader's
// goroutine; the group keeps working.
func TestGroupStatementPanics(t *testing.T) {
	b := newBlockingGroup(1)
	run := b.g.run
	b.g.run = func(ctx context.Context, ms []*member) {
		run(ctx, ms)
		if len(ms) > 1 {
			panic("boom")
		}
	}
	first := newTestOp(context.Background(), 0)
	go b.g.do(&first.member)
	<-b.started
	ops := []*testOp{newTestOp(context.Background(), 1), newTestOp(context.Background(), 2)}
	panicked := make(chan any, len(ops))
	done := make(chan *testOp, len(ops))
	for _, op := range ops {
		go func() {
			defer func() { panicked <- recover() }()
			b.g.do(&op.member)
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
	if !errors.Is(follower.err, errPanicked) {
		t.Fatalf("the other operation of the panicked statement got %v, want errPanicked", follower.err)
	}
	after := newTestOp(context.Background(), 3)
	go func() { b.g.do(&after.member); done <- after }()
	<-b.started
	b.release <- struct{}{}
	if op := <-done; op != after || after.err != nil || b.g.busy != 0 {
		t.Fatalf("after the panic: op %d err %v, %d slots busy; want the next operation run and the group idle", op.id, op.err, b.g.busy)
	}
}
