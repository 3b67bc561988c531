package postgresstore_test

import (
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/sessionsql/sessionsql/postgresstore"
)

// execModes are pgx's ways of sending a query, as the pool setting that
// picks each: the default, cached prepared statements, and those an app
// chooses for a connection pooler such as PgBouncer, which may not keep
// prepared statements, or none at all.
var execModes = []struct {
	name string
	mode pgx.QueryExecMode
}{
	{"cache statement", pgx.QueryExecModeCacheStatement},
	{"cache describe", pgx.QueryExecModeCacheDescribe},
	{"describe exec", pgx.QueryExecModeDescribeExec},
	{"exec", pgx.QueryExecModeExec},
	{"simple protocol", pgx.QueryExecModeSimpleProtocol},
}

// eachExecMode runs test once per exec mode, with the pool setting that
// picks it.
func eachExecMode(t *testing.T, test func(t *testing.T, mode func(*pgxpool.Config))) {
	for _, m := range execModes {
		t.Run(m.name, func(t *testing.T) {
			test(t, func(c *pgxpool.Config) { c.ConnConfig.DefaultQueryExecMode = m.mode })
		})
	}
}

// TestConformanceExecModes: the contract holds whichever exec mode the
// app's pool uses, with durable and asynchronous commits.
func TestConformanceExecModes(t *testing.T) {
	eachExecMode(t, func(t *testing.T, mode func(*pgxpool.Config)) {
		runConformanceOn(t, postgresstore.Config{}, mode)
	})
}

func TestConformanceAsyncCommitExecModes(t *testing.T) {
	eachExecMode(t, func(t *testing.T, mode func(*pgxpool.Config)) {
		runConformanceOn(t, postgresstore.Config{AsyncCommit: true}, mode)
	})
}

// TestConformanceOwnerExecModes: the owner index's contract holds in
// every exec mode too.
func TestConformanceOwnerExecModes(t *testing.T) {
	eachExecMode(t, func(t *testing.T, mode func(*pgxpool.Config)) {
		runOwnerConformanceOn(t, mode)
	})
}
