package main

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestShellCommandRoundTrips runs the command line shellCommand writes
// through sh, with printf in place of go run, and checks that every
// argument arrives as it was given.
func TestShellCommandRoundTrips(t *testing.T) {
	args := []string{"-only", "sqlite", "-ops-workloads", "Find hit,Commit new", "-out", "it's $HOME.md", "", `a\b`, "*", "-ops-sizes", "300"}
	line := shellCommand(`printf '%s\n'`, args)
	if !strings.Contains(line, "'Find hit,Commit new'") || strings.Contains(line, "'300'") {
		t.Errorf("shellCommand = %s: want spaced arguments quoted and plain ones bare", line)
	}
	out, err := exec.Command("sh", "-c", line).Output()
	if err != nil {
		t.Fatalf("sh -c %s: %v", line, err)
	}
	got := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if !slices.Equal(got, args) {
		t.Errorf("sh -c %s gave %q, want %q", line, got, args)
	}
}
