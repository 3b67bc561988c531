package migrations_test

import (
	"testing"

	"github.com/sessionsql/sessionsql/internal/pgtest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(pgtest.M(m)) }
