// Package postgresstore is a PostgreSQL session store for
// github.com/alexedwards/scs/v2, built on pgx/v5 and its connection pool.
//
// Apply the schema once (on every start is fine: it is idempotent and
// serialised across instances), then hand the store to scs:
//
//	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
//	if err := postgresstore.Migrate(ctx, pool); err != nil { ... }
//	st := postgresstore.New(pool)
//	defer st.Close()
//	sessionManager := scs.New()
//	sessionManager.Store = st
//
// The store keeps sessions in a table of scs's own layout (token TEXT primary
// key, data BYTEA, expiry TIMESTAMPTZ), so a database that already has scs's
// pgxstore table keeps every live session when it switches. Expired rows are
// never returned: every query compares expiry with the store's clock.
// A background Reaper deletes them in small batches, one instance at a time
// across every process sharing the table.
//
// Each operation is one statement while statements keep up; under load,
// operations that arrive while Config.Concurrency statements of their kind
// are in flight share the next one (a Find of several tokens, a Commit of
// several sessions), each still with its own outcome.
//
// The store works with every pgx exec mode of the pool, including those
// for connection poolers (QueryExecModeExec, QueryExecModeSimpleProtocol).
// On the default mode a Find of its own runs straight over pgconn, its
// statement prepared once per connection; a pool with a Tracer keeps Finds
// on pgx's query path, so the tracer sees them.
package postgresstore
