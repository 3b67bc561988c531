package main

import (
	"testing"

	"github.com/sessionsql/sessionsql/examples/internal/exampletest"
	"github.com/sessionsql/sessionsql/internal/pgtest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(pgtest.M(m)) }

// TestExample runs the program against a throwaway database: a session
// survives between requests, and Ctrl-C ends it cleanly.
func TestExample(t *testing.T) {
	exampletest.Run(t, "DATABASE_URL="+pgtest.URL(t, pgtest.Schema(t)))
}
