package postgresstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
)

// maxGroup bounds how many operations share one statement.
const maxGroup = 64

// group runs the operations of one kind (finds, commits or deletes) with at
// most slots statements in flight. An operation that finds a slot free runs
// at once, as a statement of its own, on its caller's goroutine: a lone
// request never waits and never pays for grouping. One that finds every
// slot busy queues; when a statement finishes, its slot passes to the
// first operation waiting, which runs everything queued (up to maxGroup)
// as one statement on its own goroutine. A busy app thus sends fewer,
// larger statements instead of one per operation, and the group needs no
// goroutine of its own.
//
// An operation leaves the queue when its context ends before a statement
// has taken it; once taken, it waits for its own outcome: the shared
// statement's, or that of a statement of its own when the shared one
// failed as a whole (see settle and lead).
type group struct {
	slots int
	// run executes ops (one or more) as one statement and records each
	// one's outcome in it, or marks it for a retry (see settle). ctx ends
	// only when every op's context has.
	run func(ctx context.Context, ops []*member)
	// alone runs one op as a statement of its own, under its own context:
	// the retry of an op marked by run.
	alone func(ctx context.Context, op *member)

	mu    sync.Mutex
	busy  int
	queue []*member

	onQueue func()      // test hook: an operation joined the queue
	onRun   func(n int) // test hook: a statement of n operations starts
}

// member is one operation in a group: the per-kind request embeds it.
type member struct {
	ctx   context.Context
	state atomic.Int32 // memberPending, memberTaken or memberAbandoned
	// turn receives, once the operation was taken, either nil (its
	// statement finished) or the operations it is to run as the next
	// statement (itself first).
	turn  chan []*member
	self  [1]*member // the one-operation batch, without an allocation
	op    any        // the request embedding this member
	err   error      // the operation's outcome
	retry bool       // its grouped statement failed as a whole: run it alone
}

const (
	memberPending int32 = iota
	memberTaken
	memberAbandoned
)

func (m *member) init(op any) {
	m.turn = make(chan []*member, 1)
	m.self[0] = m
	m.op = op
}

// do runs m's operation and returns when its outcome is known; it reports
// false when m's context ended while it was still queued, so it never ran.
// A caller may reuse m afterwards only if do returned true.
func (g *group) do(m *member) bool {
	m.state.Store(memberPending)
	g.mu.Lock()
	if g.busy < g.slots {
		g.busy++
		g.mu.Unlock()
		m.state.Store(memberTaken)
		g.lead(m.self[:])
		return true
	}
	g.queue = append(g.queue, m)
	hook := g.onQueue
	g.mu.Unlock()
	if hook != nil {
		hook()
	}
	select {
	case batch := <-m.turn:
		g.follow(batch)
		return true
	case <-m.ctx.Done():
		if m.state.CompareAndSwap(memberPending, memberAbandoned) {
			return false // the next leader drops it from the queue
		}
		g.follow(<-m.turn) // taken meanwhile: wait for the outcome
		return true
	}
}

// follow acts on what a taken member received: leads the batch it was
// handed, or nothing when its statement is done.
func (g *group) follow(batch []*member) {
	if batch != nil {
		g.lead(batch)
	}
}

// lead runs batch, whose first member is the caller's own, tells the others
// their outcome is ready, and hands the slot to the queue or frees it.
// Operations run marked for a retry run again on their own: each other
// member's on a goroutine that tells it when done, the caller's own last,
// on the caller's goroutine, after the slot has moved on; so none of them
// waits for another's retry. If the statement panics, every member gets
// errPanicked, the slot still moves on, and the panic goes on up the
// caller's goroutine.
func (g *group) lead(batch []*member) {
	ran := false
	defer func() {
		if !ran {
			for _, m := range batch {
				m.err, m.retry = errPanicked, false
			}
		}
		g.passOn(batch)
		if own := batch[0]; ran && own.retry {
			own.retry = false
			g.alone(own.ctx, own)
		}
	}()
	ctx, release := groupContext(batch)
	defer release()
	if g.onRun != nil {
		g.onRun(len(batch))
	}
	g.run(ctx, batch)
	ran = true
}

// errPanicked is the outcome of the operations of a statement that
// panicked.
var errPanicked = errors.New("the statement's run panicked")

// passOn tells batch's other members their outcome is ready, or starts
// their retry, and hands the slot to the queue, or frees it. Once told or
// handed to its retry, a member is never touched here again: its caller
// may be reusing it.
func (g *group) passOn(batch []*member) {
	for _, m := range batch[1:] {
		if m.retry {
			go g.retryAlone(m)
		} else {
			m.turn <- nil
		}
	}
	g.mu.Lock()
	next := g.takeQueue()
	if len(next) == 0 {
		g.busy--
	}
	g.mu.Unlock()
	if len(next) > 0 {
		next[0].turn <- next
	}
}

// retryAlone runs m's retry and tells it its outcome is ready. A panic is
// m's error: on this goroutine it would end the process.
func (g *group) retryAlone(m *member) {
	defer func() { m.turn <- nil }()
	defer func() {
		if r := recover(); r != nil {
			m.err = fmt.Errorf("%w: %v", errPanicked, r)
		}
	}()
	m.retry = false
	g.alone(m.ctx, m)
}

// takeQueue claims up to maxGroup queued members, dropping those whose
// callers gave up. The caller holds g.mu.
func (g *group) takeQueue() []*member {
	var batch []*member
	taken := 0
	for _, m := range g.queue {
		taken++
		if m.state.CompareAndSwap(memberPending, memberTaken) {
			batch = append(batch, m)
			if len(batch) == maxGroup {
				break
			}
		}
	}
	rest := g.queue[taken:]
	if len(rest) == 0 {
		clear(g.queue)
		g.queue = g.queue[:0]
	} else {
		g.queue = append(g.queue[:0:0], rest...)
	}
	return batch
}

// groupContext is the context batch's statement runs under, and the func
// that releases it once the statement is done: a member's own context for
// a batch of one; otherwise one that ends only when every member's context
// has ended, so that no member's statement is cancelled while another
// still waits for it, and a statement nobody waits for any more is.
// Members without a Done channel never end. A shared statement carries no
// member's context values (a tracer's span, say): it belongs to none of
// them.
func groupContext(batch []*member) (context.Context, func()) {
	if len(batch) == 1 {
		return batch[0].ctx, func() {}
	}
	for _, m := range batch {
		if m.ctx.Done() == nil {
			return context.Background(), func() {}
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	var remaining atomic.Int64
	remaining.Store(int64(len(batch)))
	stops := make([]func() bool, len(batch))
	for i, m := range batch {
		stops[i] = context.AfterFunc(m.ctx, func() {
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

// settle gives the operations of a grouped statement that ended with err
// their outcome, and counts them in grouped when the statement succeeded.
// When the statement failed as a whole (a value the server refuses, a row
// lock held longer than groupLockTimeout) while its callers still wait,
// each operation is marked to run again on its own (see lead) and get its
// own outcome; otherwise they all share err.
func settle(ctx context.Context, ms []*member, err error, grouped *atomic.Int64) {
	switch {
	case err == nil:
		grouped.Add(int64(len(ms)))
	case ctx.Err() == nil:
		for _, m := range ms {
			m.retry = true
		}
		return
	}
	for _, m := range ms {
		m.err = err
	}
}
