package sqlitestore_test

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/sessionsql/sessionsql"
	"github.com/sessionsql/sessionsql/sqlitestore"
)

// Micro-benchmarks of the per-request paths: go test -run '^$' -bench .
// -benchmem ./sqlitestore. The comparisons with scs's stores live in bench/.

func benchStore(b *testing.B) *sessionsql.Store { return benchStoreWith(b, sqlitestore.Config{}) }

func benchStoreWith(b *testing.B, cfg sqlitestore.Config) *sessionsql.Store {
	cfg.CleanupInterval = -1
	s, err := sqlitestore.Open(filepath.Join(b.TempDir(), "bench.db"), cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	if err := s.Commit("tok", make([]byte, 300), time.Now().Add(time.Hour)); err != nil {
		b.Fatal(err)
	}
	return s
}

func BenchmarkFindHit(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, found, err := s.FindCtx(ctx, "tok"); err != nil || !found {
			b.Fatal(found, err)
		}
	}
}

func BenchmarkFindHitParallel(b *testing.B) { benchFindParallel(b, benchStore(b)) }

// BenchmarkFindHitReadConns runs 8 × GOMAXPROCS goroutines of Finds over
// fewer read connections than goroutines, over as many, and over the
// default ReadConns (conns=0): the case for that default.
func BenchmarkFindHitReadConns(b *testing.B) {
	for _, conns := range []int{4, 8 * runtime.GOMAXPROCS(0), 0} {
		b.Run(fmt.Sprintf("conns=%d", conns), func(b *testing.B) {
			benchFindParallel(b, benchStoreWith(b, sqlitestore.Config{ReadConns: conns}))
		})
	}
}

// benchFindParallel runs Finds of one session from 8 × GOMAXPROCS
// goroutines.
func benchFindParallel(b *testing.B, s *sessionsql.Store) {
	ctx := context.Background()
	b.ReportAllocs()
	b.SetParallelism(8)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, found, err := s.FindCtx(ctx, "tok"); err != nil || !found {
				b.Error(found, err)
				return
			}
		}
	})
}

func BenchmarkCommitUpdate(b *testing.B) {
	benchCommitUpdate(b, benchStore(b), make([]byte, 300))
}

// BenchmarkCommitUpdateOwner is BenchmarkCommitUpdate of a logged-in
// session with the owner index on.
func BenchmarkCommitUpdateOwner(b *testing.B) {
	data, err := scs.GobCodec{}.Encode(time.Now(), map[string]any{"user_id": int64(42), "cart": strings.Repeat("x", 250)})
	if err != nil {
		b.Fatal(err)
	}
	benchCommitUpdate(b, benchStoreWith(b, sqlitestore.Config{Config: sessionsql.Config{Owner: sessionsql.GobOwner("user_id", "")}}), data)
}

func benchCommitUpdate(b *testing.B, s *sessionsql.Store, data []byte) {
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := s.CommitCtx(ctx, "tok", data, time.Now().Add(time.Hour)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCommitUpdateParallel(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	data := make([]byte, 300)
	b.ReportAllocs()
	b.SetParallelism(8)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := s.CommitCtx(ctx, "tok", data, time.Now().Add(time.Hour)); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
