package postgresstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/sessionsql/sessionsql"
	"github.com/sessionsql/sessionsql/postgresstore"
)

// Micro-benchmarks of the per-request paths, for allocation work: go test
// -run '^$' -bench . -benchmem ./postgresstore. The comparisons with scs's
// stores live in bench/.

// benchStore is a store over a fresh schema holding one live session, "tok".
func benchStore(b testing.TB, cfg postgresstore.Config) (*sessionsql.Store, *pgxpool.Pool) {
	return benchStoreOn(b, cfg, nil)
}

// benchStoreOn is benchStore over a pool configured by tune (nil: the test
// server's defaults).
func benchStoreOn(b testing.TB, cfg postgresstore.Config, tune func(*pgxpool.Config)) (*sessionsql.Store, *pgxpool.Pool) {
	pool, schema := migratedPool(b)
	if tune != nil {
		pool = poolOn(b, schema, tune)
	}
	cfg.CleanupInterval = -1
	s, err := postgresstore.NewWithConfig(pool, cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	if err := s.Commit("tok", make([]byte, 300), time.Now().Add(time.Hour)); err != nil {
		b.Fatal(err)
	}
	return s, pool
}

func BenchmarkFindHit(b *testing.B) {
	s, _ := benchStore(b, postgresstore.Config{})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, found, err := s.FindCtx(ctx, "tok"); err != nil || !found {
			b.Fatal(found, err)
		}
	}
}

// BenchmarkFindHitPgxPath is BenchmarkFindHit on a pool with a tracer
// that does nothing, which keeps Finds on pgx's own query path.
func BenchmarkFindHitPgxPath(b *testing.B) {
	s, _ := benchStoreOn(b, postgresstore.Config{}, func(c *pgxpool.Config) { c.ConnConfig.Tracer = quietTracer{} })
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, found, err := s.FindCtx(ctx, "tok"); err != nil || !found {
			b.Fatal(found, err)
		}
	}
}

// quietTracer traces nothing.
type quietTracer struct{}

func (quietTracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	return ctx
}

func (quietTracer) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// BenchmarkFindHitRawPgx is the floor: the same lookup straight through the
// pool.
func BenchmarkFindHitRawPgx(b *testing.B) {
	_, pool := benchStore(b, postgresstore.Config{})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		var data []byte
		if err := pool.QueryRow(ctx, `SELECT data FROM sessions WHERE token = $1 AND expiry > $2`, "tok", time.Now()).Scan(&data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCommitUpdate(b *testing.B) {
	s, _ := benchStore(b, postgresstore.Config{})
	benchCommitUpdate(b, s)
}

// BenchmarkCommitUpdateAsync is BenchmarkCommitUpdate with AsyncCommit. The
// test server runs without fsync, so the difference between the two is the
// cost of the statement itself, not of the disk.
func BenchmarkCommitUpdateAsync(b *testing.B) {
	s, _ := benchStore(b, postgresstore.Config{AsyncCommit: true})
	benchCommitUpdate(b, s)
}

func benchCommitUpdate(b *testing.B, s *sessionsql.Store) {
	ctx := context.Background()
	data := make([]byte, 300)
	b.ReportAllocs()
	for b.Loop() {
		if err := s.CommitCtx(ctx, "tok", data, time.Now().Add(time.Hour)); err != nil {
			b.Fatal(err)
		}
	}
}
