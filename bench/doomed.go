package main

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/alexedwards/scs/v2"
)

// doomed are the sessions the Delete workload deletes: fresh tokens (from
// the impl's cursor, so never stored before) that its refill writes between
// rounds and its operations delete in order. Only one cell at a time runs
// against an impl, so the tokens between next and end are contiguous.
type doomed struct {
	next atomic.Int64 // the fresh token the next Delete takes
	end  int64        // one past the last one written
	mark int64        // next, as the last refill left it
}

func (d *doomed) reset(at int64) {
	d.next.Store(at)
	d.end, d.mark = at, at
}

// errDoomedRanOut is a Delete that found no written session left: the
// round outran its refill's estimate, and the cell shows it as failed.
var errDoomedRanOut = errors.New("the Delete workload ran out of sessions to delete: its refill wrote too few")

const (
	// doomedFirst is how many sessions the first refill of a cell writes,
	// before any rate is known.
	doomedFirst = 10_000
	// doomedHeadroom is how many times the sessions the last loop's rate
	// needs a refill leaves for the next loop.
	doomedHeadroom = 3
	// refillWriters is how many goroutines a refill commits with.
	refillWriters = 16
)

// refillDoomed tops up the sessions the next loop of Deletes can delete:
// doomedHeadroom times what the last loop deleted, scaled to the next
// loop's length, through the impl's own Commit.
func refillDoomed(e *cellEnv, last, next time.Duration) error {
	d := &e.doomed
	taken := min(d.next.Load(), d.end)
	d.next.Store(taken)
	want := int64(doomedFirst)
	if last > 0 {
		want = 1000 + int64(doomedHeadroom*float64(taken-d.mark)*next.Seconds()/last.Seconds())
	}
	d.mark = taken
	need := want - (d.end - taken)
	if need <= 0 {
		return nil
	}
	if start := e.cur.committed.Add(need) - need; start != d.end {
		return fmt.Errorf("the Delete workload's sessions start at fresh token %d, want %d: something else took fresh tokens between its rounds", start, d.end)
	}
	if err := commitFresh(e.im.store, e.tok.fresh, d.end, d.end+need, e.logins, e.expiry); err != nil {
		return fmt.Errorf("writing the sessions to delete: %w", err)
	}
	d.end += need
	return nil
}

// commitFresh commits fresh[from:to] (indexes taken modulo its length),
// each with one of logins, through st on refillWriters goroutines.
func commitFresh(st scs.Store, fresh []string, from, to int64, logins [][]byte, expiry time.Time) error {
	var (
		wg    sync.WaitGroup
		next  atomic.Int64
		mu    sync.Mutex
		first error
	)
	next.Store(from)
	for range refillWriters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1) - 1; i < to; i = next.Add(1) - 1 {
				if err := st.Commit(fresh[i%int64(len(fresh))], logins[i%int64(len(logins))], expiry); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					next.Store(to) // the other writers stop too
					return
				}
			}
		}()
	}
	wg.Wait()
	return first
}
