package sessionsql_test

import (
	"testing"

	"github.com/sessionsql/sessionsql/internal/leakcheck"
	"github.com/sessionsql/sessionsql/internal/pgtest"
)

// TestMain checks for leaked goroutines once the tests are done. scs.New
// always starts a memstore whose cleanup goroutine runs forever, even when
// the app replaces the store at once: that one is not ours to stop.
func TestMain(m *testing.M) {
	leakcheck.VerifyTestMain(pgtest.M(m), leakcheck.IgnoreTopFunction("github.com/alexedwards/scs/v2/memstore.(*MemStore).startCleanup"))
}
