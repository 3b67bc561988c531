package metrics_test

import (
	"testing"

	"github.com/sessionsql/sessionsql/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }
