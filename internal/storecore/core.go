// Package storecore holds what every sessionsql backend does the same way:
// config defaults, token and size checks, the closed state, the background
// Reaper and error labelling. Backends keep only their SQL.
package storecore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/sessionsql/sessionsql"
	"github.com/sessionsql/sessionsql/internal/sqlident"
	"github.com/sessionsql/sessionsql/store"
)

// Options are the Config fields every backend shares.
type Options struct {
	TableName        string
	CleanupInterval  time.Duration
	CleanupBatchSize int
	OnCleanup        func(sessionsql.RunStats)
	Now              func() time.Time
	Logger           *slog.Logger
	MaxDataSize      int
	TouchThreshold   time.Duration
	Codec            scs.Codec
	Owner            store.OwnerFunc
}

// SchemaErrors recognise a backend's errors for a schema that is missing
// or older than the store needs.
type SchemaErrors struct {
	NoTable  func(error) bool // the table does not exist
	NoColumn func(error) bool // a column of a later migration does not exist
	// Migrate says how this backend's users apply the migrations, for
	// the errors that tell them to.
	Migrate string
}

// Core is the backend-independent half of a store.
type Core struct {
	pkg         string // error prefix, e.g. "sqlitestore"
	Table       sqlident.Name
	Now         func() time.Time
	MaxData     int
	driver      Driver
	schema      SchemaErrors
	broken      error // set for a store that could not be built
	reaper      *sessionsql.Reaper
	touch       *touch // nil unless Options.TouchThreshold > 0
	owner       store.OwnerFunc
	ownerDriver OwnerDriver
	revoked     tombstones // tokens the owner methods deleted lately
	stats       counters
	closed      atomic.Bool
	closeOnce   sync.Once
}

// New validates o, fills in its defaults and returns a Core whose errors
// start with pkg. schema recognises the driver's errors for a missing table
// or column, reported as store.ErrNoTable and store.ErrOldSchema. The
// backend then
// hands over its Driver with SetDriver (the driver needs the validated
// table name first).
func New(pkg string, o Options, schema SchemaErrors) (*Core, error) {
	if o.TableName == "" {
		o.TableName = store.DefaultTableName
	}
	table, err := sqlident.Parse(o.TableName)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", pkg, err)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.MaxDataSize <= 0 {
		o.MaxDataSize = store.DefaultMaxDataSize
	}
	c := &Core{pkg: pkg, Table: table, Now: o.Now, MaxData: o.MaxDataSize, schema: schema, owner: o.Owner}
	if o.TouchThreshold > 0 {
		c.touch = newTouch(o.TouchThreshold, o.Codec)
	}
	return c, nil
}

// Broken returns a Core for a store that could not be built: every
// operation reports err (its own pkg prefix, if any, left out: the
// operation's error starts with pkg already), and so does its Reaper's
// RunOnce; the Reaper never starts. Constructors that cannot return an
// error use it so that a bad argument fails loudly instead of panicking.
func Broken(pkg string, err error) *Core {
	c := &Core{pkg: pkg, broken: &unprefixed{strings.TrimPrefix(err.Error(), pkg+": "), err}, Now: time.Now}
	c.reaper = sessionsql.NewReaper(c, sessionsql.ReaperConfig{})
	return c
}

// unprefixed is an error under a shorter message: errors.Is and As still
// see the error it stands for.
type unprefixed struct {
	msg string
	err error
}

func (e *unprefixed) Error() string { return e.msg }
func (e *unprefixed) Unwrap() error { return e.err }

// SetDriver installs the backend's SQL and starts background cleanup as o
// asks. A driver that is also an OwnerDriver serves the owner index.
func (c *Core) SetDriver(d Driver, o Options) {
	c.driver = d
	c.ownerDriver, _ = d.(OwnerDriver)
	c.startCleanup(o)
}

// Reaper returns the store's Reaper: running in the background unless
// cleanup was disabled (or the core is Broken), ready for RunOnce either
// way; never nil.
func (c *Core) Reaper() *sessionsql.Reaper { return c.reaper }

// startCleanup builds the store's Reaper and starts it in the background
// unless o.CleanupInterval is negative.
func (c *Core) startCleanup(o Options) {
	c.reaper = sessionsql.NewReaper(c, sessionsql.ReaperConfig{
		Interval:  o.CleanupInterval,
		BatchSize: o.CleanupBatchSize,
		Logger:    o.Logger,
		OnRun:     o.OnCleanup,
	})
	if o.CleanupInterval >= 0 {
		c.reaper.Start()
	}
}

// Ready reports why an operation cannot start: a closed store or a context
// that is already done.
func (c *Core) Ready(ctx context.Context) error {
	if c.broken != nil {
		return c.broken
	}
	if c.closed.Load() {
		return store.ErrClosed
	}
	return ctx.Err()
}

// CheckCommit rejects what Commit must never write: a token scs could not
// have made, or data over the size limit.
func (c *Core) CheckCommit(token string, data []byte) error {
	if !store.ValidToken(token) {
		return store.ErrInvalidToken
	}
	if len(data) > c.MaxData {
		return fmt.Errorf("%w: %d bytes, limit %d", store.ErrTooLarge, len(data), c.MaxData)
	}
	return nil
}

// Fail labels err with the package and operation, and makes the conditions
// callers branch on visible to errors.Is: a closed store, a missing table and
// the context's own error.
func (c *Core) Fail(ctx context.Context, op string, err error) error {
	switch {
	case errors.Is(err, store.ErrClosed), c.broken != nil && errors.Is(err, c.broken):
	case c.closed.Load():
		err = fmt.Errorf("%w: %w", store.ErrClosed, err)
	case c.schema.NoTable != nil && c.schema.NoTable(err):
		err = c.schema.MissingTable(c.Table, err)
	case c.schema.NoColumn != nil && c.schema.NoColumn(err):
		err = c.schema.MissingColumns(c.Table, err)
	case ctx.Err() != nil && !errors.Is(err, ctx.Err()):
		err = fmt.Errorf("%w: %w", ctx.Err(), err)
	}
	return fmt.Errorf("%s: %s: %w", c.pkg, op, err)
}

// MissingTable reports err, the driver's error for a missing table, as
// store.ErrNoTable, with what to do: for the default table, apply the
// migrations (as s.Migrate says); for a table of another name (or the
// default name in another schema), which the migrations never create,
// create it.
func (s SchemaErrors) MissingTable(table sqlident.Name, err error) error {
	switch {
	case table.String() == store.DefaultTableName:
		return fmt.Errorf("%w (table %s): apply the migrations first (%s): %w", store.ErrNoTable, table, s.Migrate, err)
	case table.Table == store.DefaultTableName:
		return fmt.Errorf("%w (table %s): the migrations create %q in the first schema of the connection's search_path (PostgreSQL) or in the main database (SQLite): apply them over a connection where that is %s, or create the table yourself: %w",
			store.ErrNoTable, table, store.DefaultTableName, table.Schema, err)
	}
	return fmt.Errorf("%w (table %s): the migrations create only %q: create %s yourself with the columns and indexes of theirs, or leave TableName empty: %w",
		store.ErrNoTable, table, store.DefaultTableName, table, err)
}

// MissingColumns reports err, the driver's error for a missing column, as
// store.ErrOldSchema, saying how to apply the latest migrations.
func (s SchemaErrors) MissingColumns(table sqlident.Name, err error) error {
	return fmt.Errorf("%w (table %s): apply the latest migrations (%s): %w", store.ErrOldSchema, table, s.Migrate, err)
}

// Close stops the Reaper, waits for it, marks the store closed and then
// calls release (if any) exactly once. Later calls return nil.
func (c *Core) Close(release func() error) error {
	var err error
	c.closeOnce.Do(func() {
		if c.reaper != nil {
			c.reaper.Stop()
		}
		c.closed.Store(true)
		if release != nil {
			if rerr := release(); rerr != nil {
				err = fmt.Errorf("%s: close: %w", c.pkg, rerr)
			}
		}
	})
	return err
}
