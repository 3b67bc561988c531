package main

import (
	"path/filepath"
	"testing"
)

func TestTallyAdd(t *testing.T) {
	var u tally
	u.add(counters{first: 10, second: 100, ok: true}, counters{first: 40, second: 200, ok: true})
	u.add(counters{first: 50, second: 300, ok: true}, counters{first: 110, second: 400, ok: true})
	if u != (tally{first: 90, second: 200}) {
		t.Fatalf("tally = %+v, want the growth of both rounds: 90 and 200", u)
	}
	u.add(counters{}, counters{first: 1, second: 1, ok: true})
	if !u.broken {
		t.Fatal("a missing sample: want the tally marked broken")
	}
}

func TestReadCountersMissingFile(t *testing.T) {
	parsed := false
	got := readCounters(filepath.Join(t.TempDir(), "missing"), func(string) counters { parsed = true; return counters{ok: true} })
	if got.ok || parsed {
		t.Fatalf("a missing file: got %+v (parsed %v), want not ok and nothing parsed", got, parsed)
	}
}
