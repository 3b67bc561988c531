package main

import (
	"testing"

	"github.com/sessionsql/sessionsql/internal/exampletest"
	"github.com/sessionsql/sessionsql/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// TestExample runs the program against a throwaway database: a session
// survives between requests, and Ctrl-C ends it cleanly.
func TestExample(t *testing.T) {
	exampletest.Run(t, "DATABASE_URL="+pgtest.URL(t, pgtest.Schema(t)))
}
