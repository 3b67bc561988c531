package sqlitestore_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/sessionsql/sessionsql/sqlitestore"
	"github.com/sessionsql/sessionsql/store/storetest"
)

// FuzzStore checks random operation sequences against the contract's
// model (storetest.Fuzz): go test -run '^$' -fuzz FuzzStore ./sqlitestore
func FuzzStore(f *testing.F) {
	clock := storetest.NewClock(time.Now())
	s, err := sqlitestore.Open(filepath.Join(f.TempDir(), "fuzz.db"), sqlitestore.Config{Now: clock.Now, CleanupInterval: -1, MaxDataSize: 4096})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { s.Close() })
	storetest.Fuzz(f, s, clock, 4096)
}
