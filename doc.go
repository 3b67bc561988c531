// Package sessionsql keeps github.com/alexedwards/scs/v2 sessions in SQL
// databases: PostgreSQL through pgx/v5 for apps that run many instances,
// and an embedded SQLite file through modernc.org/sqlite (no cgo) for
// single-binary apps.
//
// This package is everything an app touches besides a constructor: the
// Store, its Config, the errors, the owner index helpers, the Reaper and
// Stats. The backends construct Stores:
//
//	st, err := sqlitestore.Open("sessions.db", sqlitestore.Config{})
//	// or: st := postgresstore.New(pool) after postgresstore.Migrate(ctx, pool)
//	defer st.Close()
//	sessionManager := scs.New()
//	sessionManager.Store = st
//
// # Expired sessions
//
// Expired sessions are never returned: every query compares the expiry with
// the store's clock (Config.Now). Each Store runs a Reaper that deletes them
// in the background, in batches of 250 rows, each its own short transaction
// that checks the expiry again at delete time, with a rest between batches
// so live writes get their turn. On PostgreSQL one instance deletes at a
// time. Config.CleanupInterval tunes it or, negative, turns it off, for a
// cron job that calls Store.Reaper().RunOnce (or the sessionsql command's
// prune) instead.
//
// # Logout is final
//
// A deleted session stays deleted: Delete (scs's Destroy and RenewToken),
// RevokeOwner and RevokeSession leave a tombstone in the session's row,
// and a later Commit of its token, from a request that was still running
// at logout on any instance sharing the table, writes nothing and returns
// nil (Stats.Refused counts it), until the session's expiry plus
// Config.DeleteGrace has passed. The Reaper deletes tombstones with the
// expired rows. SECURITY.md says what this covers and what it does not.
//
// # Your sessions: the owner index
//
// "Where am I logged in?" and "log out my other devices" need to find one
// user's sessions, but a session is an opaque blob. With Config.Owner set
// the store records, on every Commit, whose the session is, in an indexed
// column:
//
//	cfg := sessionsql.Config{Owner: sessionsql.GobOwner("user_id", "device")}
//	infos, err := st.OwnerSessions(ctx, userID)              // most recently seen first
//	current := sessionsql.CurrentSessionID(sessionManager, ctx) // which one is this request's
//	n, err := st.RevokeOwner(ctx, userID, current)           // log out other devices
//	n, err = st.RevokeOwner(ctx, userID, "")                 // log out everywhere
//	ok, err := st.RevokeSession(ctx, userID, infos[1].ID)    // one device
//	n, err = st.IndexOwners(ctx)                             // once, for sessions written before
//
// A listing's ID is a one-way digest of the stored token, safe to show. It
// all works the same with scs's HashTokenInStore. Unlike scs's Iterate and
// Destroy, which with HashTokenInStore hash the stored hash again and
// delete nothing, the owner methods work on the stored tokens and read one
// owner's rows through the index.
//
// # Errors
//
// Errors start with "sessionsql: " and the operation and wrap ErrClosed,
// ErrTooLarge, ErrInvalidToken, ErrNoTable, ErrOldSchema or the context's
// error where they apply. Find of a missing, expired or malformed token is
// (nil, false, nil), and Delete of a missing token is nil, as scs expects.
// No method panics; constructors panic only on a nil database handle.
//
// # Writing a backend
//
// A backend implements Driver (and, for the owner index, OwnerDriver) and
// passes the conformance suite in package
// github.com/sessionsql/sessionsql/store/storetest.
package sessionsql
