package sqlitestore_test

import (
	"os"
	"testing"

	"github.com/sessionsql/sessionsql/internal/leakcheck"
	"github.com/sessionsql/sessionsql/internal/pgtest"
)

// TestMain checks for leaked goroutines after the tests (no PostgreSQL is
// started here; pgtest starts one only on demand). When the test binary
// is re-run as a helper process (see processes_test.go), it does that job
// instead of running the tests.
func TestMain(m *testing.M) {
	if path := os.Getenv(helperEnv); path != "" {
		os.Exit(helperProcess(path))
	}
	if path := os.Getenv(committerEnv); path != "" {
		os.Exit(committerProcess(path))
	}
	leakcheck.VerifyTestMain(pgtest.M(m))
}
