package main

import (
	"strconv"
	"strings"
)

// sampleIO is what this process has written so far, by its own count in
// /proc/self/io: first the bytes handed to write calls (wchar), second the
// number of those calls (syscw), to files and sockets alike, whether or
// not they reached the disk yet. Around an embedded SQLite's rounds that
// is mostly its WAL and its checkpoints; a PostgreSQL server's writes are
// another process's, and a client's are its messages to the server.
func sampleIO() counters { return readCounters("/proc/self/io", parseIO) }

func parseIO(text string) counters {
	var s counters
	var wchar, syscw bool
	for _, line := range strings.Split(text, "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil {
			continue
		}
		switch k {
		case "wchar":
			s.first, wchar = n, true
		case "syscw":
			s.second, syscw = n, true
		}
	}
	s.ok = wchar && syscw
	return s
}

// ioPerOp is the bytes and write calls per operation of a tally of
// sampleIO over ops operations; -1s if unknown.
func ioPerOp(t tally, ops int) (bytes, calls float64) {
	if t.broken || ops <= 0 {
		return -1, -1
	}
	return float64(t.first) / float64(ops), float64(t.second) / float64(ops)
}
