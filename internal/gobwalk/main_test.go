package gobwalk_test

import (
	"testing"

	"github.com/sessionsql/sessionsql/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.VerifyTestMain(m) }
