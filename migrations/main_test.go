package migrations_test

import (
	"testing"

	"github.com/sessionsql/sessionsql/internal/leakcheck"
	"github.com/sessionsql/sessionsql/internal/pgtest"
)

func TestMain(m *testing.M) { leakcheck.VerifyTestMain(pgtest.M(m)) }
