package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

var (
	once     sync.Once
	server   *Server // nil when using EnvURL
	adminURL string  // connection string of the admin database
	admin    *pgxpool.Pool
	startErr error
	skipped  atomic.Int64
)

// M wraps a package's tests so that the throwaway server, if one was
// started, stops when they end (and says how many tests skipped for want
// of PostgreSQL). Hand it to leakcheck, which checks for leaked goroutines
// after it:
//
//	func TestMain(m *testing.M) { leakcheck.VerifyTestMain(pgtest.M(m)) }
func M(m *testing.M) interface{ Run() int } { return wrapped{m} }

type wrapped struct{ m *testing.M }

func (w wrapped) Run() int {
	code := w.m.Run()
	if n := skipped.Load(); n > 0 {
		fmt.Fprintf(os.Stderr, "pgtest: skipped %d PostgreSQL tests: %v\n", n, startErr)
	}
	Stop()
	return code
}

// Stop closes the admin pool and stops the throwaway server. Main calls it;
// tests never need to.
func Stop() {
	stopBouncers()
	if admin != nil {
		admin.Close()
		admin = nil
	}
	if server != nil {
		server.Stop()
		server = nil
	}
}

// InCI reports whether the CI environment variable asks for every suite to
// really run.
func InCI() bool {
	v := strings.ToLower(os.Getenv("CI"))
	return v != "" && v != "0" && v != "false"
}

// ensure starts (once per test binary) or connects to the server, and
// skips or fails t when there is none.
func ensure(t testing.TB) {
	t.Helper()
	once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		adminURL = os.Getenv(EnvURL)
		if adminURL == "" {
			server, startErr = Start(ctx, Options{})
			if startErr != nil {
				return
			}
			adminURL = server.URL("postgres")
		}
		admin, startErr = pgxpool.New(ctx, adminURL)
		if startErr == nil {
			startErr = admin.Ping(ctx)
		}
	})
	if startErr == nil {
		return
	}
	if InCI() {
		t.Fatalf("pgtest: PostgreSQL is required in CI: %v", startErr)
	}
	skipped.Add(1)
	t.Skipf("pgtest: skipping, no PostgreSQL: %v", startErr)
}

// Admin returns a pool on the server's admin database, shared by all tests.
func Admin(t testing.TB) *pgxpool.Pool {
	ensure(t)
	return admin
}

// Schema creates a schema of its own for t, dropped with everything in it
// when t ends, and returns its name.
func Schema(t testing.TB) string {
	t.Helper()
	ensure(t)
	name := newName("t_")
	ctx := context.Background()
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatalf("pgtest: create schema: %v", err)
	}
	t.Cleanup(func() {
		if admin == nil {
			return
		}
		if _, err := admin.Exec(context.Background(), "DROP SCHEMA "+pgx.Identifier{name}.Sanitize()+" CASCADE"); err != nil {
			t.Errorf("pgtest: drop schema %s: %v", name, err)
		}
	})
	return name
}

// newName is prefix and twelve random hex digits: a schema or database
// name no other test uses.
func newName(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// URL returns a connection string whose search_path starts with schema, for
// tools that take a DSN (the goose CLI, database/sql).
func URL(t testing.TB, schema string) string {
	t.Helper()
	ensure(t)
	sep := "?"
	if strings.Contains(adminURL, "?") {
		sep = "&"
	}
	return adminURL + sep + "search_path=" + schema
}

// Pool returns a pool whose connections use a fresh schema of t's own (see
// Schema) as their search_path, closed when t ends. It skips or fails t
// when no PostgreSQL is available.
func Pool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	pool, _ := PoolAndSchema(t)
	return pool
}

// PoolAndSchema is Pool that also returns the schema's name.
func PoolAndSchema(t testing.TB) (*pgxpool.Pool, string) {
	t.Helper()
	schema := Schema(t)
	return PoolFor(t, schema), schema
}

// PoolFor returns a new pool whose search_path is schema, closed when t
// ends.
func PoolFor(t testing.TB, schema string) *pgxpool.Pool {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(URL(t, schema))
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}
