package postgresstore

import (
	"log/slog"
	"time"

	"github.com/sessionsql/sessionsql"
)

// Config tunes a Store. The zero value means "all defaults".
type Config struct {
	// TableName is the session table, "table" or "schema.table". Each part
	// must start with a letter or underscore and hold only letters, digits
	// and underscores; it is quoted, so case matters. Default "sessions",
	// the table the migrations create.
	TableName string

	// CleanupInterval is how often the background Reaper deletes expired
	// sessions. Zero means every 5 minutes; a negative value disables the
	// background cleanup (call Store.Reaper().RunOnce yourself, from a cron
	// job for instance).
	CleanupInterval time.Duration

	// CleanupBatchSize is the most rows one cleanup batch deletes, each batch
	// in its own short transaction. Zero means 250.
	CleanupBatchSize int

	// OnCleanup, when set, receives the numbers of every cleanup run. It
	// runs on the cleanup goroutine: keep it quick and never call Close
	// from it.
	OnCleanup func(sessionsql.RunStats)

	// Now is the clock every expiry comparison uses. Default time.Now. Tests
	// inject their own to expire sessions without sleeping.
	Now func() time.Time

	// Logger receives background cleanup failures. Nil discards them.
	Logger *slog.Logger

	// MaxDataSize is the largest session blob, in bytes, Commit accepts;
	// larger ones fail with an error matching store.ErrTooLarge. Zero or
	// negative means store.DefaultMaxDataSize (8 MiB).
	MaxDataSize int
}
