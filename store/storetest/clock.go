package storetest

import (
	"sync"
	"testing"
	"time"
)

// Clock is a manual clock: it stands still until a test moves it. Give its
// Now method to a store's Config.Now and expire sessions without sleeping.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a Clock reading start.
func NewClock(start time.Time) *Clock { return &Clock{now: start} }

// Now returns the clock's current reading.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d (backward when d is negative).
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// suiteEpoch is where every suite clock starts: far from the real time, so
// a store that ignores its injected clock fails the suite loudly.
var suiteEpoch = time.Date(2040, time.January, 1, 12, 0, 0, 0, time.UTC)

var clocks sync.Map // *testing.T -> *Clock

// ClockFor returns the clock the conformance suite drives for the test t.
// A newStore function passed to Run must build its store with
// Config.Now = storetest.ClockFor(t).Now. Called for a test the suite is not
// running, it returns a new clock starting at the suite's epoch.
func ClockFor(t *testing.T) *Clock {
	c, _ := clocks.LoadOrStore(t, NewClock(suiteEpoch))
	return c.(*Clock)
}

// registerClock gives t a fresh clock and forgets it when t ends.
func registerClock(t *testing.T) *Clock {
	c := NewClock(suiteEpoch)
	clocks.Store(t, c)
	t.Cleanup(func() { clocks.Delete(t) })
	return c
}
