package sqlitestore

import (
	"log/slog"
	"time"

	"github.com/sessionsql/sessionsql"
)

// Config tunes a Store. The zero value means "all defaults".
type Config struct {
	// TableName is the session table, "table" or "schema.table" (an
	// attached database). Each part must start with a letter or underscore
	// and hold only letters, digits and underscores. Default "sessions", the
	// table the migrations create.
	TableName string

	// CleanupInterval is how often the background Reaper deletes expired
	// sessions. Zero means every 5 minutes; a negative value disables the
	// background cleanup (call Store.Reaper().RunOnce yourself, from a cron
	// job for instance).
	CleanupInterval time.Duration

	// CleanupBatchSize is the most rows one cleanup batch deletes, each in
	// its own short transaction. Zero means 250.
	CleanupBatchSize int

	// OnCleanup, when set, receives the numbers of every cleanup run. It
	// runs on the cleanup goroutine: keep it quick and never call Close
	// from it.
	OnCleanup func(sessionsql.RunStats)

	// Now is the clock every expiry comparison uses. Default time.Now.
	Now func() time.Time

	// Logger receives background cleanup failures. Nil discards them.
	Logger *slog.Logger

	// MaxDataSize is the largest session blob, in bytes, Commit accepts;
	// larger ones fail with an error matching store.ErrTooLarge. Zero or
	// negative means store.DefaultMaxDataSize (8 MiB).
	MaxDataSize int

	// BusyTimeout is how long a connection opened by Open waits for a lock
	// held by another process before failing. Zero means 5 seconds. Within
	// one process the store never waits on SQLite locks: it has one writer.
	BusyTimeout time.Duration

	// ReadConns is the number of read-only connections Open keeps for Find
	// and All. Zero means 4, or GOMAXPROCS when that is larger.
	ReadConns int
}
