package sqlitestore_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/sessionsql/sessionsql/sqlitestore"
)

// Micro-benchmarks of the per-request paths: go test -run '^$' -bench .
// -benchmem ./sqlitestore. The comparisons with scs's stores live in bench/.

func benchStore(b *testing.B) *sqlitestore.Store {
	s, err := sqlitestore.Open(filepath.Join(b.TempDir(), "bench.db"), sqlitestore.Config{CleanupInterval: -1})
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

func BenchmarkFindHitParallel(b *testing.B) {
	s := benchStore(b)
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
	s := benchStore(b)
	ctx := context.Background()
	data := make([]byte, 300)
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
