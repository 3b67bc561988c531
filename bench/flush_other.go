//go:build !linux

package main

import "os"

// dataSync flushes f to the disk with File.Sync: fsync, or on macOS the
// stronger F_FULLFSYNC, so there the probe can read slower than the flush
// PostgreSQL's own default (open_datasync) waits for.
func dataSync(f *os.File) error { return f.Sync() }
