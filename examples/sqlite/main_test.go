package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/sessionsql/sessionsql/examples/internal/exampletest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestExample runs the program: a session survives between requests in
// sessions.db, and Ctrl-C ends it cleanly.
func TestExample(t *testing.T) {
	dir := exampletest.Run(t)
	if _, err := os.Stat(filepath.Join(dir, "sessions.db")); err != nil {
		t.Fatalf("no sessions.db: %v", err)
	}
}
