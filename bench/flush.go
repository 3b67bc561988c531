package main

import (
	"fmt"
	"os"
	"time"
)

// walBlock is what one small durable commit has PostgreSQL write and flush:
// a block of WAL (XLOG_BLCKSZ).
const walBlock = 8 << 10

// measureFlush times n flushes of one walBlock each to a file in dir,
// preallocated and flushed first, as PostgreSQL's WAL segments are, so
// that each flush writes data and no file size: what a durable commit
// waits for (wal_sync_method fdatasync, Linux's default). It returns the
// median.
func measureFlush(dir string, n int) (time.Duration, error) {
	if n <= 0 {
		return 0, fmt.Errorf("measureFlush: %d flushes; want at least one", n)
	}
	f, err := os.CreateTemp(dir, "flush-probe-")
	if err != nil {
		return 0, err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	block := make([]byte, walBlock)
	if _, err := f.Write(make([]byte, n*walBlock)); err != nil {
		return 0, err
	}
	if err := f.Sync(); err != nil {
		return 0, err
	}
	took := make([]float64, n)
	for i := range took {
		block[0] = byte(i + 1)
		start := time.Now()
		if _, err := f.WriteAt(block, int64(i*walBlock)); err != nil {
			return 0, err
		}
		if err := dataSync(f); err != nil {
			return 0, fmt.Errorf("flush %s: %w", f.Name(), err)
		}
		took[i] = float64(time.Since(start))
	}
	return time.Duration(median(took)), nil
}
