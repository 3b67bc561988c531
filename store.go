package sessionsql

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/alexedwards/scs/v2"
)

// Store is a session store for scs: set it as a SessionManager's Store.
// It implements scs.Store, scs.CtxStore, scs.IterableStore and
// scs.IterableCtxStore, deletes expired sessions in the background, and
// with Config.Owner lists and revokes one user's sessions. The backends'
// constructors return one (postgresstore.New, sqlitestore.Open); NewStore
// builds one over any Driver. It is safe for concurrent use.
//
// Every method without a context behaves as its Ctx form called with
// context.Background(). Errors start with "sessionsql: " and the
// operation, and wrap the package's sentinel errors where they apply.
type Store struct {
	driver  Driver
	owners  OwnerDriver // nil unless Config.Owner is set
	now     func() time.Time
	maxData int
	owner   OwnerFunc
	touch   *touch // nil unless Config.TouchThreshold > 0
	grace   time.Duration
	reaper  *Reaper
	stats   counters

	closed    atomic.Bool
	closeOnce sync.Once
	closeErr  error
}

var (
	_ scs.Store            = (*Store)(nil)
	_ scs.CtxStore         = (*Store)(nil)
	_ scs.IterableStore    = (*Store)(nil)
	_ scs.IterableCtxStore = (*Store)(nil)
)

// NewStore returns a Store that keeps its sessions through d, tuned by
// cfg, and starts its background cleanup unless cfg.CleanupInterval is
// negative. A nil d, or cfg.Owner set for a d that is no OwnerDriver, is a
// programming error: NewStore panics.
func NewStore(d Driver, cfg Config) *Store {
	if d == nil {
		panic("sessionsql: NewStore: the Driver is nil")
	}
	cfg = cfg.WithDefaults()
	s := &Store{driver: d, now: cfg.Now, maxData: cfg.MaxDataSize, owner: cfg.Owner, grace: cfg.DeleteGrace}
	if cfg.Owner != nil {
		var ok bool
		if s.owners, ok = d.(OwnerDriver); !ok {
			panic(fmt.Sprintf("sessionsql: NewStore: Config.Owner is set, but the Driver (%T) has no owner index: it is no OwnerDriver", d))
		}
	}
	if cfg.TouchThreshold > 0 {
		s.touch = newTouch(cfg.TouchThreshold, cfg.Codec)
	}
	s.reaper = NewReaper(s, ReaperConfig{
		Interval:  cfg.CleanupInterval,
		BatchSize: cfg.CleanupBatchSize,
		Logger:    cfg.Logger,
		OnRun:     cfg.OnCleanup,
	})
	if cfg.CleanupInterval >= 0 {
		s.reaper.Start()
	}
	return s
}

// Reaper returns the store's Reaper, for its Stats or a RunOnce: running
// in the background unless Config.CleanupInterval is negative.
func (s *Store) Reaper() *Reaper { return s.reaper }

// Stats returns what the store has done since it was created.
func (s *Store) Stats() Stats { return s.stats.snapshot(s.driver) }

// Close stops the background cleanup, waits for it, and then closes the
// Driver, which releases what it opened itself (a store from
// sqlitestore.Open closes its file) and never a database handle or pool
// it was given. Close is idempotent; afterwards every operation fails with
// an error matching ErrClosed.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.reaper.Stop()
		s.closed.Store(true)
		if err := s.driver.Close(); err != nil {
			s.closeErr = fmt.Errorf("sessionsql: close: %w", err)
		}
	})
	return s.closeErr
}

// ready reports why an operation cannot start: a closed store or a
// context that is done already.
func (s *Store) ready(ctx context.Context) error {
	if s.closed.Load() {
		return ErrClosed
	}
	return ctx.Err()
}

// fail labels err with the operation and makes what callers branch on
// visible to errors.Is: a closed store and the context's own error.
func (s *Store) fail(ctx context.Context, op string, err error) error {
	switch {
	case errors.Is(err, ErrClosed):
	case s.closed.Load():
		err = fmt.Errorf("%w: %w", ErrClosed, err)
	case ctx.Err() != nil && !errors.Is(err, ctx.Err()):
		err = fmt.Errorf("%w: %w", ctx.Err(), err)
	}
	return fmt.Errorf("sessionsql: %s: %w", op, err)
}

// failed is fail for an error the Driver returned: it counts it and lets
// the Driver explain it first.
func (s *Store) failed(ctx context.Context, op string, err error) error {
	s.stats.errors.Add(1)
	if x, ok := s.driver.(ErrorExplainer); ok {
		err = x.Explain(err)
	}
	return s.fail(ctx, op, err)
}
