package sqlitestore_test

import (
	"testing"

	"github.com/sessionsql/sessionsql/internal/pgtest"
)

// TestMain checks for leaked goroutines after the tests (no PostgreSQL is
// started here; pgtest.Main only starts one on demand).
func TestMain(m *testing.M) { pgtest.Main(m) }
