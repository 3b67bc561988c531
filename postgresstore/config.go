package postgresstore

import (
	"log/slog"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/sessionsql/sessionsql"
	"github.com/sessionsql/sessionsql/store"
)

// Config tunes a Store. The zero value means "all defaults".
type Config struct {
	// TableName is the session table, "table" or "schema.table". Each part
	// must start with a letter or underscore and hold only letters, digits
	// and underscores; it is quoted, so case matters. Default "sessions",
	// the table the migrations create; they create no other. A table of
	// another name must already exist with the columns and indexes of
	// theirs (migrations/postgres), or the store's operations fail with
	// store.ErrNoTable.
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

	// AsyncCommit makes Commit use PostgreSQL's asynchronous commit
	// (synchronous_commit = off, set for that one statement): it returns
	// before the write reaches disk, so commits are several times faster
	// where the disk is the bottleneck. What a crash of the PostgreSQL server
	// (not of your app) can lose: the session writes of its last moments, at
	// most three times wal_writer_delay (600 ms by default). Those sessions
	// come back as they were before the lost write: a login of that moment
	// is gone (the user logs in again), a cart change reverts. The database
	// stays consistent, Delete stays synchronous (a logout is never
	// undone), and no other transaction of your app is affected. Default
	// false: every Commit is durable when it returns.
	AsyncCommit bool

	// Concurrency is how many statements of each kind (finds, commits,
	// deletes) the store runs at the same time. An operation that arrives
	// while all of them are busy waits for the next to finish, and the
	// operations waiting then share one statement (a Find of several
	// tokens, a Commit of several sessions; at most 64), so that under load
	// the store sends fewer, larger statements, which costs the server and
	// the app far less than one statement per operation. A lone operation
	// never waits and runs as a statement of its own. An operation still
	// waiting when its context ends gives up unrun; once its statement has
	// started, it returns that statement's outcome, and the statement is
	// cancelled only when every operation in it has given up (never, when
	// one came from a method without a context). A grouped write waits at
	// most 100 ms for any one row lock held elsewhere, and a grouped
	// statement that fails as a whole is not the outcome: its operations
	// then run again each as a statement of its own, under its own context,
	// so that one session never holds up or fails the others (those
	// retries run at once, each its caller's own statement, as without
	// grouping: a retry waiting on a locked row must not hold up the
	// rest). Zero means twice GOMAXPROCS, but no more than the pool's
	// MaxConns and at least 2; a negative value turns grouping off, so that
	// every operation is a statement of its own, as with scs's pgxstore.
	// Stats().Grouped counts the operations that shared a statement.
	Concurrency int

	// Codec decodes sessions to compare their values for TouchThreshold
	// (gob writes maps in random order, so equal sessions rarely have equal
	// bytes). Set it to your SessionManager's Codec; nil means
	// scs.GobCodec{}, scs's default. Unused without TouchThreshold.
	Codec scs.Codec

	// Owner, when set, turns on the owner index: every Commit records whose the
	// session is (and an optional device description) from the session data, so
	// OwnerSessions, RevokeOwner and RevokeSession can list and revoke one
	// user's sessions without reading the table. Use store.GobOwner("user_id",
	// "device") with scs's default codec, naming the session keys your app
	// keeps the user id (and, if it wants, a device description) under.
	// Anonymous sessions are written with no owner and stay out of the index.
	// Needs migration 2 (Migrate applies it); without it Commit fails with an
	// error matching store.ErrOldSchema. Default nil: off, and the owner
	// methods fail.
	Owner store.OwnerFunc
}
