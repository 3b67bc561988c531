package postgresstore_test

import (
	"testing"
	"time"

	"github.com/sessionsql/sessionsql/postgresstore"
	"github.com/sessionsql/sessionsql/store/storetest"
)

// FuzzStore checks random operation sequences against the contract's
// model (storetest.Fuzz): go test -run '^$' -fuzz FuzzStore ./postgresstore
func FuzzStore(f *testing.F) {
	pool, _ := migratedPool(f)
	clock := storetest.NewClock(time.Now())
	s, err := postgresstore.NewWithConfig(pool, postgresstore.Config{Now: clock.Now, CleanupInterval: -1, MaxDataSize: 4096})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { s.Close() })
	storetest.Fuzz(f, s, clock, 4096)
}
