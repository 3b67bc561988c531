//go:build !linux

package main

import "os"

// dataSync flushes f to the disk (fsync: the closest to fdatasync here).
func dataSync(f *os.File) error { return f.Sync() }
