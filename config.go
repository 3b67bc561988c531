package sessionsql

import (
	"log/slog"
	"time"

	"github.com/alexedwards/scs/v2"
)

// Config is what every store shares, whichever database keeps its
// sessions: each backend's Config embeds it. The zero Config means every
// default.
type Config struct {
	// TableName is the session table, "table" or "schema.table": letters,
	// digits and underscores, starting with a letter or underscore, quoted
	// (so case matters). The migrations create only "sessions"; a table of
	// another name must already exist with their columns and indexes.
	// Defaults to "sessions".
	TableName string

	// Now is the clock every expiry comparison reads; tests inject their
	// own to expire sessions without sleeping. Defaults to time.Now.
	Now func() time.Time

	// Logger receives background cleanup failures (Warn) and a line per
	// cleanup run (Debug). Defaults to discarding everything.
	Logger *slog.Logger

	// MaxDataSize is the largest session, in bytes, Commit writes; a larger
	// one fails with ErrTooLarge and is not written. Defaults to 8 MiB.
	MaxDataSize int

	// CleanupInterval is how often the background Reaper deletes expired
	// sessions; a negative value turns it off (run Store.Reaper().RunOnce
	// yourself then, from a cron job say). Defaults to 5 minutes.
	CleanupInterval time.Duration

	// CleanupBatchSize is the most rows one cleanup batch deletes, each
	// batch its own short transaction. Defaults to 250.
	CleanupBatchSize int

	// OnCleanup receives the numbers of every cleanup run, on the cleanup's
	// goroutine: keep it quick and never call Close from it. Defaults to
	// nil.
	OnCleanup func(RunStats)

	// TouchThreshold, when positive, makes Commit skip writes that would
	// only move an unchanged session's expiry forward by less than it:
	// what scs asks for on every request when IdleTimeout is set. Pick it
	// well below IdleTimeout (a minute for half an hour, say): the stored
	// expiry lags by up to this much. Defaults to 0: every Commit writes.
	TouchThreshold time.Duration

	// Codec is the SessionManager's Codec, which TouchThreshold decodes
	// sessions with to compare their values. Defaults to scs.GobCodec{}.
	Codec scs.Codec

	// DeleteGrace is how long past the later of a deleted session's expiry
	// and its deletion every store on its table refuses Commits of its
	// token: longer than any request that was running when it was deleted,
	// so that such a request cannot write the session back when it ends.
	// The refusal lasts until the reaper deletes the tombstone, which it
	// does once that time has passed. Zero or less means the default.
	// Defaults to 5 minutes.
	DeleteGrace time.Duration

	// Owner turns the owner index on: every Commit records whose the
	// session is, so that Store.OwnerSessions, RevokeOwner and
	// RevokeSession can list and revoke one user's sessions. Use
	// GobOwner("user_id", "device") with scs's default codec. Defaults to
	// nil: no index, and the owner methods fail.
	Owner OwnerFunc
}

// The defaults of the Config fields that have no Reaper counterpart (the
// cleanup fields default as ReaperConfig's do).
const (
	DefaultTableName   = "sessions"
	DefaultMaxDataSize = 8 << 20
	DefaultDeleteGrace = 5 * time.Minute
)

// WithDefaults returns c with its zero fields set to their defaults, the
// cleanup fields excepted (the Reaper fills those in). NewStore calls it;
// a driver calls it for the table name.
func (c Config) WithDefaults() Config {
	if c.TableName == "" {
		c.TableName = DefaultTableName
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.MaxDataSize <= 0 {
		c.MaxDataSize = DefaultMaxDataSize
	}
	if c.Codec == nil {
		c.Codec = scs.GobCodec{}
	}
	if c.DeleteGrace <= 0 {
		c.DeleteGrace = DefaultDeleteGrace
	}
	return c
}
