package postgresstore_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/sessionsql/sessionsql"
	"github.com/sessionsql/sessionsql/internal/pgtest"
	"github.com/sessionsql/sessionsql/postgresstore"
	"github.com/sessionsql/sessionsql/store/storetest"
)

// migratedPool returns a pool on a fresh schema holding the sessions table.
func migratedPool(t testing.TB) (*pgxpool.Pool, string) {
	t.Helper()
	pool, schema := pgtest.PoolAndSchema(t)
	if err := postgresstore.Migrate(context.Background(), pool); err != nil {
		t.Fatal(err)
	}
	return pool, schema
}

// poolOn returns a pool on schema of the test server, configured by tune,
// closed when t ends.
func poolOn(t testing.TB, schema string, tune func(*pgxpool.Config)) *pgxpool.Pool {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(pgtest.URL(t, schema))
	if err != nil {
		t.Fatal(err)
	}
	tune(cfg)
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// runConformance runs the conformance suite on stores built with cfg over
// a fresh migrated schema each, on the suite's clock, cleanup off.
func runConformance(t *testing.T, cfg postgresstore.Config) { runConformanceOn(t, cfg, nil) }

// runConformanceOn is runConformance over pools configured by tune (nil:
// the test server's defaults).
func runConformanceOn(t *testing.T, cfg postgresstore.Config, tune func(*pgxpool.Config)) {
	storetest.Run(t, build(cfg, tune))
}

// build returns a storetest.NewStoreFunc of stores built with cfg (its
// shared part the suite's) over a fresh migrated schema each, through
// pools configured by tune (nil: the test server's defaults).
func build(cfg postgresstore.Config, tune func(*pgxpool.Config)) storetest.NewStoreFunc {
	return func(t testing.TB, shared sessionsql.Config) *sessionsql.Store {
		pool, schema := migratedPool(t)
		if tune != nil {
			pool = poolOn(t, schema, tune)
		}
		cfg := cfg
		cfg.Config = shared
		s, err := postgresstore.NewWithConfig(pool, cfg)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
}

func TestConformance(t *testing.T) { runConformance(t, postgresstore.Config{}) }

// TestConformanceQualifiedTable names the table with its schema, over a
// pool whose search_path does not include it.
func TestConformanceQualifiedTable(t *testing.T) {
	storetest.Run(t, func(t testing.TB, cfg sessionsql.Config) *sessionsql.Store {
		_, schema := migratedPool(t)
		other := pgtest.PoolFor(t, "public")
		cfg.TableName = schema + ".sessions"
		s, err := postgresstore.NewWithConfig(other, postgresstore.Config{Config: cfg})
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// quietStore returns a store on a fresh migrated schema with background
// cleanup off (closed when t ends), and its pool.
func quietStore(t *testing.T) (*sessionsql.Store, *pgxpool.Pool) {
	t.Helper()
	pool, _ := migratedPool(t)
	s, err := postgresstore.NewWithConfig(pool, postgresstore.Config{Config: sessionsql.Config{CleanupInterval: -1}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, pool
}

// seedExpired inserts n sessions named old-1..old-n that expired an hour
// ago, a millisecond apart (old-1 the oldest).
func seedExpired(t *testing.T, pool *pgxpool.Pool, n int) {
	t.Helper()
	if _, err := pool.Exec(context.Background(), `INSERT INTO sessions (token, data, expiry)
		SELECT 'old-' || i, '\x00', now() - interval '1 hour' + i * interval '1 millisecond' FROM generate_series(1, $1) AS i`, n); err != nil {
		t.Fatal(err)
	}
}

// TestConformanceAsyncCommit: the asynchronous-commit variant meets the
// same contract.
func TestConformanceAsyncCommit(t *testing.T) {
	runConformance(t, postgresstore.Config{AsyncCommit: true})
}

// TestConformanceGrouped: with one statement of each kind at a time, most
// operations of the concurrent cases share statements; the contract holds.
func TestConformanceGrouped(t *testing.T) { runConformance(t, postgresstore.Config{Concurrency: 1}) }

func TestConformanceOwner(t *testing.T) { runOwnerConformanceOn(t, nil) }

// runOwnerConformanceOn runs the owner index's conformance suite over
// pools configured by tune (nil: the test server's defaults).
func runOwnerConformanceOn(t *testing.T, tune func(*pgxpool.Config)) {
	storetest.RunOwner(t, build(postgresstore.Config{}, tune))
}
