package sessionsql_test

import (
	"testing"

	"github.com/sessionsql/sessionsql/internal/pgtest"
	"go.uber.org/goleak"
)

// TestMain checks for leaked goroutines once the tests are done. scs.New
// always starts a memstore whose cleanup goroutine runs forever, even when
// the app replaces the store at once: that one is not ours to stop.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(pgtest.M(m), goleak.IgnoreTopFunction("github.com/alexedwards/scs/v2/memstore.(*MemStore).startCleanup"))
}
