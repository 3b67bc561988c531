package postgresstore_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/sessionsql/sessionsql"
	"github.com/sessionsql/sessionsql/internal/pgtest"
	"github.com/sessionsql/sessionsql/postgresstore"
)

// TestFindsDirectOnlyWherePgxWouldPrepare: a default pool runs Finds
// straight over pgconn; a pool with a tracer, another exec mode or no
// statement cache keeps them on pgx's own path.
func TestFindsDirectOnlyWherePgxWouldPrepare(t *testing.T) {
	_, schema := migratedPool(t)
	type pool struct {
		name   string
		tune   func(*pgxpool.Config)
		direct bool
	}
	cases := []pool{
		{"tracer", func(c *pgxpool.Config) { c.ConnConfig.Tracer = &sqlTracer{} }, false},
		{"no statement cache", func(c *pgxpool.Config) { c.ConnConfig.StatementCacheCapacity = 0 }, false},
	}
	for _, m := range execModes {
		cases = append(cases, pool{m.name, func(c *pgxpool.Config) { c.ConnConfig.DefaultQueryExecMode = m.mode },
			m.mode == pgx.QueryExecModeCacheStatement}) // pgx's default
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := postgresstore.NewInside(poolOn(t, schema, c.tune), postgresstore.Config{Config: sessionsql.Config{CleanupInterval: -1}})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if got := s.FindsDirect(); got != c.direct {
				t.Fatalf("Finds direct: %v, want %v", got, c.direct)
			}
		})
	}
}

// sqlTracer records the SQL of every query pgx traces.
type sqlTracer struct {
	mu   sync.Mutex
	sqls []string
}

func (tr *sqlTracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.sqls = append(tr.sqls, data.SQL)
	return ctx
}

func (tr *sqlTracer) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (tr *sqlTracer) saw(prefix string) bool {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	for _, sql := range tr.sqls {
		if strings.HasPrefix(sql, prefix) {
			return true
		}
	}
	return false
}

// TestTracerSeesFinds: a pool's tracer sees the store's Find statement.
func TestTracerSeesFinds(t *testing.T) {
	_, schema := migratedPool(t)
	tracer := &sqlTracer{}
	pool := poolOn(t, schema, func(c *pgxpool.Config) { c.ConnConfig.Tracer = tracer })
	s, err := postgresstore.NewWithConfig(pool, postgresstore.Config{Config: sessionsql.Config{CleanupInterval: -1}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, _, err := s.FindCtx(context.Background(), "abc"); err != nil {
		t.Fatal(err)
	}
	if !tracer.saw("SELECT data, expiry FROM") {
		t.Fatalf("the tracer saw %q, no Find", tracer.sqls)
	}
}

// TestConformanceTraced: the contract holds over a pool with a tracer,
// whose Finds take pgx's own path.
func TestConformanceTraced(t *testing.T) {
	runConformanceOn(t, postgresstore.Config{}, func(c *pgxpool.Config) { c.ConnConfig.Tracer = &sqlTracer{} })
}

// TestFindAfterDeallocateAll: a Find whose prepared statement the server
// dropped (DEALLOCATE ALL, as a connection pooler may send) prepares it
// again and finds the session.
func TestFindAfterDeallocateAll(t *testing.T) {
	_, schema := migratedPool(t)
	for _, touch := range []time.Duration{0, time.Minute} { // touch: the Find that reads expiry too
		pool := poolOn(t, schema, func(c *pgxpool.Config) { c.MaxConns = 1 })
		s, err := postgresstore.NewWithConfig(pool, postgresstore.Config{Config: sessionsql.Config{CleanupInterval: -1, TouchThreshold: touch}})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		if err := s.CommitCtx(ctx, "abc", []byte("v"), time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		for i := range 3 {
			data, found, err := s.FindCtx(ctx, "abc")
			if err != nil || !found || string(data) != "v" {
				t.Fatalf("touch %v, Find %d: %q, %v, %v; want \"v\", true, nil", touch, i, data, found, err)
			}
			if _, err := pool.Exec(ctx, "DEALLOCATE ALL"); err != nil {
				t.Fatal(err)
			}
		}
		s.Close()
	}
}

// TestFindOnATimestampColumn: on a table whose expiry is a TIMESTAMP
// without time zone, Finds go through pgx, which converts it, and still
// see live sessions and miss expired ones; a DEALLOCATE ALL between them
// costs nothing there either.
func TestFindOnATimestampColumn(t *testing.T) {
	_, schema := migratedPool(t)
	ctx := context.Background()
	if _, err := pgtest.PoolFor(t, schema).Exec(ctx, `CREATE TABLE naive (token TEXT PRIMARY KEY, data BYTEA NOT NULL, expiry TIMESTAMP NOT NULL, deleted BOOLEAN NOT NULL DEFAULT false)`); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, touch := range []time.Duration{0, time.Minute} { // touch: the Find that reads expiry too
		pool := poolOn(t, schema, func(c *pgxpool.Config) { c.MaxConns = 1 })
		s, err := postgresstore.NewWithConfig(pool, postgresstore.Config{Config: sessionsql.Config{TableName: "naive", CleanupInterval: -1, TouchThreshold: touch, Now: func() time.Time { return now }}})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.CommitCtx(ctx, "live", []byte("v"), now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := s.CommitCtx(ctx, "gone", []byte("v"), now.Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
		for i := range 3 {
			if data, found, err := s.FindCtx(ctx, "live"); err != nil || !found || string(data) != "v" {
				t.Fatalf("touch %v, Find %d of a live session: %q, %v, %v", touch, i, data, found, err)
			}
			if _, found, err := s.FindCtx(ctx, "gone"); err != nil || found {
				t.Fatalf("touch %v, Find %d of an expired session: %v, %v; want not found", touch, i, found, err)
			}
			if _, err := pool.Exec(ctx, "DEALLOCATE ALL"); err != nil {
				t.Fatal(err)
			}
		}
		s.Close()
	}
}
