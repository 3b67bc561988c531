package main

import (
	"strings"
	"testing"
	"time"
)

func TestAsyncDetail(t *testing.T) {
	// Rounds paired as the bench pairs them: durable at 388 µs and 390
	// µs a commit, async at 143 µs and 145 µs; the ratio is their median.
	async := cellResult{callers: 1, opsPerSec: 1e6 / 143.0, rates: []float64{1e6 / 143, 1e6 / 145}, cpuBusy: 0.52}
	durable := cellResult{callers: 1, opsPerSec: 1e6 / 388.0, rates: []float64{1e6 / 388, 1e6 / 390}, cpuBusy: 0.48}
	got := asyncDetail(async, durable, hostFacts{walFlush: []time.Duration{245 * time.Microsecond, 250 * time.Microsecond}})
	for _, want := range []string{
		"asynchronous commit took 143 µs and a durable one 2.70 times that",
		"the flush cost 243 µs, and 3x needs it to cost at least 286 µs.",
		"a block of WAL in 245 µs to 250 µs (median of 200,",
		"CPU busy: 48% durable, 52% async.",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("asyncDetail = %q, want it to say %q", got, want)
		}
	}

	one := asyncDetail(async, durable, hostFacts{walFlush: []time.Duration{245 * time.Microsecond, 245 * time.Microsecond}})
	if !strings.Contains(one, "WAL in 245 µs (") {
		t.Errorf("two equal probes: %q, want the figure once", one)
	}
	if none := asyncDetail(async, durable, hostFacts{}); strings.Contains(none, "block of WAL") {
		t.Errorf("no probe: %q, want no flush figure", none)
	}

	// With many callers commits overlap, so there is no sum to take apart;
	// and nothing is said that was not measured.
	async.callers, durable.callers = 16, 16
	async.cpuBusy = -1
	if many := asyncDetail(async, durable, hostFacts{walFlush: []time.Duration{time.Millisecond}}); many != "" {
		t.Errorf("16 callers, CPU unknown: %q, want nothing", many)
	}
}
