package main

import (
	"os"
	"syscall"
)

// dataSync flushes f's data to the disk, leaving metadata a read does not
// need (its modification time) to the kernel, as fdatasync does for
// PostgreSQL's WAL.
func dataSync(f *os.File) error { return syscall.Fdatasync(int(f.Fd())) }
