// Package sessionsql keeps github.com/alexedwards/scs/v2 sessions in SQL
// databases: PostgreSQL through pgx/v5 for apps that run many instances, and
// an embedded SQLite file through modernc.org/sqlite (no cgo) for
// single-binary apps.
//
// The stores live in sub-packages and plug straight into scs:
//
//	st, err := sqlitestore.Open("sessions.db", sqlitestore.Config{})
//	// or: st := postgresstore.New(pool) after postgresstore.Migrate(ctx, pool)
//	sessionManager := scs.New()
//	sessionManager.Store = st
//	defer st.Close()
//
// The schema ships as goose migrations in package migrations. This package
// holds the Reaper: the background service every store runs by default to
// delete expired sessions in small batches, one instance at a time, without
// stalling live requests. Use it directly (NewReaper, RunOnce) to prune from
// a cron job or a serverless function.
package sessionsql
