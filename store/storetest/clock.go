package storetest

import (
	"sync"
	"time"
)

// Clock is a manual clock: it stands still until a test moves it. Give its
// Now method to a store's Config.Now to expire sessions without sleeping.
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
// a store that ignores its Config's clock fails the suite loudly.
var suiteEpoch = time.Date(2040, time.January, 1, 12, 0, 0, 0, time.UTC)
