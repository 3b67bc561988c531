package sqlitestore

import (
	"log/slog"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/sessionsql/sessionsql"
	"github.com/sessionsql/sessionsql/store"
)

// Config tunes a Store. The zero value means "all defaults".
type Config struct {
	// TableName is the session table, "table" or "schema.table" (an
	// attached database). Each part must start with a letter or underscore
	// and hold only letters, digits and underscores. Default "sessions", the
	// table the migrations create; they create no other. A table of another
	// name must already exist with the columns and indexes of theirs
	// (migrations/sqlite), or Open of a file (of ":memory:", its first
	// operation) and New's operations fail with store.ErrNoTable.
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

	// TouchThreshold, when positive, makes Commit skip writes that would
	// only nudge an unchanged session's expiry, which is what scs does on
	// every request when SessionManager.IdleTimeout is set. A Commit whose
	// session values equal what Find last read for the token, and whose
	// expiry is less than TouchThreshold after the stored one, writes
	// nothing; the stored expiry then lags the requested one by less than
	// TouchThreshold, so pick it well below IdleTimeout (a minute for a
	// 30-minute IdleTimeout, say). Zero, the default, writes every Commit.
	// The store keeps copies of recently found sessions for this, at most
	// 16 MiB.
	TouchThreshold time.Duration

	// Codec decodes sessions to compare their values for TouchThreshold
	// (gob writes maps in random order, so equal sessions rarely have equal
	// bytes). Set it to your SessionManager's Codec; nil means
	// scs.GobCodec{}, scs's default. Unused without TouchThreshold.
	Codec scs.Codec

	// BusyTimeout is how long a connection opened by Open waits for a lock
	// held by another process before failing. Zero means 5 seconds. Within
	// one process the store never waits on SQLite locks: it has one writer.
	BusyTimeout time.Duration

	// MmapSize is how many bytes of the database file each connection of
	// a store from Open reads through memory mapping (SQLite's mmap_size)
	// instead of a read call per page: with a table bigger than SQLite's
	// page cache (2 MiB a connection), a Find then costs about what it
	// costs on a small table. The mapping takes address space, not memory
	// (the pages live in the OS's file cache either way). Like every
	// memory-mapped file, an I/O error while reading the database (a
	// failing disk) stops the process instead of failing the Find. Zero
	// means DefaultMmapSize; a negative value turns mapping off.
	MmapSize int64

	// ReadConns is the most read-only connections Open keeps for Find and
	// All. They open as that many reads run at once and then stay open; a
	// read beyond them waits for one. Zero or negative means 4 ×
	// GOMAXPROCS (as it is at Open), at least 16 and at most 64.
	ReadConns int

	// Owner, when set, turns on the owner index: every Commit records whose the
	// session is (and an optional device description) from the session data, so
	// OwnerSessions, RevokeOwner and RevokeSession can list and revoke one
	// user's sessions without reading the table. Use store.GobOwner("user_id",
	// "device") with scs's default codec, naming the session keys your app
	// keeps the user id (and, if it wants, a device description) under.
	// Anonymous sessions are written with no owner and stay out of the index.
	// Needs migration 2 (Open applies it); without it Commit fails with an
	// error matching store.ErrOldSchema. Default nil: off, and the owner
	// methods fail.
	Owner store.OwnerFunc
}
