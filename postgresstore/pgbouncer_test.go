package postgresstore_test

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/sessionsql/sessionsql"
	"github.com/sessionsql/sessionsql/internal/pgtest"
	"github.com/sessionsql/sessionsql/migrations"
	"github.com/sessionsql/sessionsql/postgresstore"
	"github.com/sessionsql/sessionsql/store/storetest"
)

// workingModes are, for each PgBouncer pool mode, the pgx exec modes a
// store works in behind it: in transaction mode a connection keeps no
// prepared statement from one transaction to the next, which pgx's
// default (cache_statement) and describe_exec need.
var workingModes = map[string][]string{
	pgtest.Transaction: {"cache_describe", "exec", "simple_protocol"},
	pgtest.Session:     {"cache_statement", "cache_describe", "describe_exec", "exec", "simple_protocol"},
}

// bouncedPool returns a pool through PgBouncer in pool mode with exec mode
// execMode, on the test server's postgres database, closed when t ends.
func bouncedPool(t testing.TB, mode, execMode string) *pgxpool.Pool {
	t.Helper()
	return poolAt(t, pgtest.BouncerURL(t, mode, "postgres", execMode))
}

// poolAt returns a pool on url, closed when t ends.
func poolAt(t testing.TB, url string) *pgxpool.Pool {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// bounced returns a storetest.NewStoreFunc of stores built with cfg on a
// fresh migrated schema each, reached through PgBouncer in pool mode with
// exec mode execMode: PgBouncer forwards no search_path, so the store
// names its table with the schema.
func bounced(mode, execMode string, cfg postgresstore.Config) storetest.NewStoreFunc {
	return bouncedOn("postgres", mode, execMode, cfg)
}

// bouncedOn is bounced through PgBouncer's database entry database, which
// reaches the test server's postgres database.
func bouncedOn(database, mode, execMode string, cfg postgresstore.Config) storetest.NewStoreFunc {
	return func(t testing.TB, shared sessionsql.Config) *sessionsql.Store {
		_, schema := migratedPool(t)
		cfg := cfg
		cfg.Config = shared
		cfg.TableName = schema + ".sessions"
		s, err := postgresstore.NewWithConfig(poolAt(t, pgtest.BouncerURL(t, mode, database, execMode)), cfg)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
}

// TestPgBouncerConformance: behind PgBouncer, in transaction and session
// pooling, the contract and the owner index's hold in every exec mode that
// works there, and with AsyncCommit.
func TestPgBouncerConformance(t *testing.T) {
	for _, mode := range []string{pgtest.Transaction, pgtest.Session} {
		for _, execMode := range workingModes[mode] {
			t.Run(mode+"/"+execMode, func(t *testing.T) {
				storetest.Run(t, bounced(mode, execMode, postgresstore.Config{}))
			})
			t.Run(mode+"/"+execMode+"/owner", func(t *testing.T) {
				storetest.RunOwner(t, bounced(mode, execMode, postgresstore.Config{}))
			})
		}
		t.Run(mode+"/exec/AsyncCommit", func(t *testing.T) {
			storetest.Run(t, bounced(mode, "exec", postgresstore.Config{AsyncCommit: true}))
		})
	}
}

// TestPgBouncerWrongExecModeSaysWhichWork: behind PgBouncer in transaction
// pooling, the exec modes that need a connection to keep its prepared
// statements fail, and every error says which modes work. The clients
// share one server connection, where two of them preparing the same
// statement collide at once.
func TestPgBouncerWrongExecModeSaysWhichWork(t *testing.T) {
	for _, execMode := range []string{"cache_statement", "describe_exec"} {
		t.Run(execMode, func(t *testing.T) {
			s := bouncedOn(pgtest.OneServerConnection, pgtest.Transaction, execMode, postgresstore.Config{Concurrency: -1})(t, sessionsql.Config{CleanupInterval: -1})
			t.Cleanup(func() { s.Close() })
			ctx := context.Background()
			var mu sync.Mutex
			var errs []error
			for round := 0; len(errs) == 0; round++ {
				if round == 50 {
					t.Fatal("50 rounds of 16 goroutines committing and finding at once never failed: PgBouncer kept the prepared statements")
				}
				var wg sync.WaitGroup
				for w := range 16 {
					wg.Go(func() {
						tok := fmt.Sprintf("r%d-w%d", round, w)
						err := s.CommitCtx(ctx, tok, []byte("x"), time.Now().Add(time.Hour))
						if err == nil {
							_, _, err = s.FindCtx(ctx, tok)
						}
						if err != nil {
							mu.Lock()
							errs = append(errs, err)
							mu.Unlock()
						}
					})
				}
				wg.Wait()
			}
			for _, err := range errs {
				if !errors.Is(err, postgresstore.ErrPooledStatement) || !strings.Contains(err.Error(), "default_query_exec_mode=exec") {
					t.Fatalf("an operation in %s behind transaction pooling failed with %v; want an error saying which exec modes work", execMode, err)
				}
			}
		})
	}
}

// TestPgBouncerConcurrentMigrate: four instances migrate one new database
// at once through PgBouncer, round after round, in transaction and session
// pooling, over pools in pgx's exec mode and in its default
// (cache_statement, which fails behind transaction pooling for statements
// of the app's own): every call succeeds, each migration runs once, and no
// lock is left behind.
func TestPgBouncerConcurrentMigrate(t *testing.T) {
	const instances, rounds = 4, 4
	for _, mode := range []string{pgtest.Transaction, pgtest.Session} {
		for _, execMode := range []string{"exec", ""} {
			t.Run(mode+"/"+cmp.Or(execMode, "default"), func(t *testing.T) {
				for round := range rounds {
					concurrentMigrate(t, round, instances, func(db string) string { return pgtest.BouncerURL(t, mode, db, execMode) })
				}
			})
		}
	}
}

// concurrentMigrate migrates one new database from instances pools at
// once, each on the URL at gives, and checks that every call succeeded,
// each migration ran once and the lock is free.
func concurrentMigrate(t *testing.T, round, instances int, at func(db string) string) {
	t.Helper()
	db := pgtest.Database(t)
	pools := make([]*pgxpool.Pool, instances)
	for i := range pools {
		pools[i] = poolAt(t, at(db))
	}
	errs := make([]error, instances)
	var wg sync.WaitGroup
	for i, pool := range pools {
		wg.Go(func() { errs[i] = postgresstore.Migrate(context.Background(), pool) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("round %d: concurrent Migrate through PgBouncer: %v", round, err)
	}
	direct := poolAt(t, pgtest.DatabaseURL(t, db))
	var rows, versions int
	var locked bool
	if err := direct.QueryRow(context.Background(), `SELECT count(*), count(DISTINCT version_id) FROM `+migrations.VersionTable+` WHERE version_id > 0`).Scan(&rows, &versions); err != nil {
		t.Fatal(err)
	}
	if err := direct.QueryRow(context.Background(), `SELECT locked FROM `+migrations.LockTable).Scan(&locked); err != nil {
		t.Fatal(err)
	}
	if rows != versions || versions < 3 || locked {
		t.Fatalf("round %d: %d version rows for %d versions, lock held %v; want each migration once, and the lock free", round, rows, versions, locked)
	}
}
