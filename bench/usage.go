package main

import "os"

// counters are two running totals read from /proc at one moment (what
// each holds is up to the reader: see sampleCPU and sampleIO); ok is false
// where the file is missing or unreadable.
type counters struct {
	first, second int64
	ok            bool
}

// readCounters reads path and parses it with parse.
func readCounters(path string, parse func(string) counters) counters {
	b, err := os.ReadFile(path)
	if err != nil {
		return counters{}
	}
	return parse(string(b))
}

// tally adds up how much two counters grew over the rounds of one cell.
type tally struct {
	first, second int64
	broken        bool // a sample was missing: the sums mean nothing
}

// add counts the growth between two samples.
func (t *tally) add(before, after counters) {
	if !before.ok || !after.ok {
		t.broken = true
		return
	}
	t.first += after.first - before.first
	t.second += after.second - before.second
}
