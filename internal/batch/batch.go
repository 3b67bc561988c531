// Package batch runs operations of one kind together when they arrive
// faster than they finish: the grouping both backends use (a PostgreSQL
// statement for many sessions, a SQLite transaction for many writes).
//
// A Batcher keeps at most Slots batches in flight. An operation that finds
// a slot free runs at once, alone, on its caller's goroutine: a lone
// request never waits and never pays for grouping. One that finds every
// slot busy queues; when a batch finishes, its slot passes to the first
// operation waiting, which runs everything queued (up to Max) as the next
// batch, on its own goroutine. The Batcher needs no goroutine of its own.
//
// An operation leaves the queue unrun when its context ends before a batch
// has taken it; once taken, it waits for its own outcome.
package batch

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
)

// Config tunes a Batcher.
type Config[T any] struct {
	// Slots is the most batches in flight at once.
	Slots int
	// Max is the most operations one batch holds.
	Max int
	// Run runs ops (one or more) as one batch and gives each its outcome
	// in Err, or marks it with Retry. ctx ends only once every op's
	// context has ended.
	Run func(ctx context.Context, ops []*Op[T])
	// Alone runs one op by itself, under its own context: the retry of an
	// op Run marked. Nil when Run never marks one.
	Alone func(ctx context.Context, op *Op[T])
}

// Batcher runs the operations of one kind; see the package comment.
type Batcher[T any] struct {
	cfg Config[T]

	mu     sync.Mutex
	busy   int
	queue  []*Op[T]
	closed error          // set by Close: the outcome of every later op
	slots  sync.WaitGroup // one count for each busy slot

	OnQueue func()      // test hook: an operation joined the queue
	OnRun   func(n int) // test hook: a batch of n operations starts
}

// New returns a Batcher configured by cfg.
func New[T any](cfg Config[T]) *Batcher[T] { return &Batcher[T]{cfg: cfg} }

// Op is one operation: its request and result in Req, its outcome in Err.
// Make it with NewOp; it may be used again once Do has returned true.
type Op[T any] struct {
	Ctx context.Context
	Req T
	Err error

	state atomic.Int32 // pending, taken or abandoned
	// turn receives, once the op was taken, either nil (its batch is done)
	// or the ops it is to run as the next batch (itself first).
	turn  chan []*Op[T]
	self  [1]*Op[T] // the one-op batch, without an allocation
	retry bool
}

const (
	pending int32 = iota
	taken
	abandoned
)

// NewOp returns an Op ready for Do.
func NewOp[T any]() *Op[T] {
	op := &Op[T]{turn: make(chan []*Op[T], 1)}
	op.self[0] = op
	return op
}

// Retry marks op, in Run, to run again by itself after its batch: its
// batch failed as a whole, so its outcome is its own statement's.
func (op *Op[T]) Retry() { op.retry = true }

// ErrPanicked is the outcome of the operations of a batch that panicked.
var ErrPanicked = errors.New("the batch's run panicked")

// Do runs op and returns once op.Err holds its outcome: its batch's, or
// why it never ran (its context ended while it was queued, or the Batcher
// is closed). It reports whether op may be used again: not after it was
// abandoned in the queue, which may still hold it.
func (b *Batcher[T]) Do(op *Op[T]) bool {
	op.Err = nil
	op.state.Store(pending)
	b.mu.Lock()
	if b.closed != nil {
		op.Err = b.closed
		b.mu.Unlock()
		return true
	}
	if b.busy < b.cfg.Slots {
		b.busy++
		b.slots.Add(1)
		b.mu.Unlock()
		op.state.Store(taken)
		b.lead(op.self[:])
		return true
	}
	b.queue = append(b.queue, op)
	hook := b.OnQueue
	b.mu.Unlock()
	if hook != nil {
		hook()
	}
	select {
	case batch := <-op.turn:
		b.follow(batch)
		return true
	case <-op.Ctx.Done():
		if op.state.CompareAndSwap(pending, abandoned) {
			op.Err = op.Ctx.Err()
			return false // the next leader drops it from the queue
		}
		b.follow(<-op.turn) // taken meanwhile: wait for the outcome
		return true
	}
}

// Close makes every later Do fail with err, gives the queued operations
// err as their outcome, and waits for the batches in flight to finish.
func (b *Batcher[T]) Close(err error) {
	b.mu.Lock()
	if b.closed != nil {
		b.mu.Unlock()
		b.slots.Wait()
		return
	}
	b.closed = err
	queued := b.queue
	b.queue = nil
	b.mu.Unlock()
	for _, op := range queued {
		if op.state.CompareAndSwap(pending, taken) {
			op.Err = err
			op.turn <- nil
		}
	}
	b.slots.Wait()
}

// follow acts on what a taken op received: leads the batch it was handed,
// or nothing when its batch is done.
func (b *Batcher[T]) follow(batch []*Op[T]) {
	if batch != nil {
		b.lead(batch)
	}
}

// lead runs batch, whose first op is the caller's own, tells the others
// their outcome is ready, and hands the slot to the queue or frees it. Ops
// marked for a retry run again alone: each other op's on a goroutine that
// tells it when done, the caller's own last, on the caller's goroutine,
// after the slot has moved on; so none waits for another's retry. If Run
// panics, every op gets ErrPanicked, the slot still moves on, and the
// panic goes on up the caller's goroutine.
func (b *Batcher[T]) lead(batch []*Op[T]) {
	ran := false
	defer func() {
		if !ran {
			for _, op := range batch {
				op.Err, op.retry = ErrPanicked, false
			}
		}
		b.passOn(batch)
		if own := batch[0]; ran && own.retry {
			own.retry = false
			b.cfg.Alone(own.Ctx, own)
		}
	}()
	ctx, release := joinContexts(batch)
	defer release()
	if b.OnRun != nil {
		b.OnRun(len(batch))
	}
	b.cfg.Run(ctx, batch)
	ran = true
}

// passOn tells batch's other ops their outcome is ready, or starts their
// retry, and hands the slot to the queue, or frees it. Once told or handed
// to its retry, an op is never touched here again: its caller may be
// reusing it.
func (b *Batcher[T]) passOn(batch []*Op[T]) {
	for _, op := range batch[1:] {
		if op.retry {
			go b.retryAlone(op)
		} else {
			op.turn <- nil
		}
	}
	b.mu.Lock()
	next := b.takeQueue()
	if len(next) == 0 {
		b.busy--
	}
	b.mu.Unlock()
	if len(next) > 0 {
		next[0].turn <- next
	} else {
		b.slots.Done()
	}
}

// retryAlone runs op's retry and tells it its outcome is ready. A panic is
// op's error: on this goroutine it would end the process.
func (b *Batcher[T]) retryAlone(op *Op[T]) {
	defer func() { op.turn <- nil }()
	defer func() {
		if r := recover(); r != nil {
			op.Err = fmt.Errorf("%w: %v", ErrPanicked, r)
		}
	}()
	op.retry = false
	b.cfg.Alone(op.Ctx, op)
}

// takeQueue claims up to Max queued ops, dropping those whose callers gave
// up. The caller holds b.mu.
func (b *Batcher[T]) takeQueue() []*Op[T] {
	var batch []*Op[T]
	seen := 0
	for _, op := range b.queue {
		seen++
		if op.state.CompareAndSwap(pending, taken) {
			batch = append(batch, op)
			if len(batch) == b.cfg.Max {
				break
			}
		}
	}
	rest := b.queue[seen:]
	if len(rest) == 0 {
		clear(b.queue)
		b.queue = b.queue[:0]
	} else {
		b.queue = append(b.queue[:0:0], rest...)
	}
	return batch
}

// joinContexts is the context batch runs under, and the func that releases
// it once the batch is done: an op's own context for a batch of one;
// otherwise one that ends only when every op's context has ended, so that
// no op's batch is cancelled while another still waits for it, and a batch
// nobody waits for any more is. An op whose context never ends keeps it
// alive. A shared batch carries no op's context values (a tracer's span,
// say): it belongs to none of them.
func joinContexts[T any](batch []*Op[T]) (context.Context, func()) {
	if len(batch) == 1 {
		return batch[0].Ctx, func() {}
	}
	for _, op := range batch {
		if op.Ctx.Done() == nil {
			return context.Background(), func() {}
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	var remaining atomic.Int64
	remaining.Store(int64(len(batch)))
	stops := make([]func() bool, len(batch))
	for i, op := range batch {
		stops[i] = context.AfterFunc(op.Ctx, func() {
			if remaining.Add(-1) == 0 {
				cancel()
			}
		})
	}
	return ctx, func() {
		for _, stop := range stops {
			stop()
		}
		cancel()
	}
}
