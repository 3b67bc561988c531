package main

import "testing"

func TestParseCPU(t *testing.T) {
	// user nice system idle iowait irq softirq steal guest guest_nice
	got := parseCPU("cpu  100 5 50 800 40 3 2 60 7 0\ncpu0 50 2 25 400 20 1 1 30 3 0\n")
	want := counters{first: 100 + 5 + 50 + 3 + 2, second: 100 + 5 + 50 + 800 + 40 + 3 + 2, ok: true}
	if got != want {
		t.Fatalf("parseCPU = %+v, want %+v (steal left out, guest time already in user)", got, want)
	}
	for _, bad := range []string{"", "intr 1 2 3\n", "cpu 1 2 x 4 5\n", "cpu 1 2\n"} {
		if s := parseCPU(bad); s.ok {
			t.Errorf("parseCPU(%q) = %+v, want not ok", bad, s)
		}
	}
}

func TestCPUShare(t *testing.T) {
	if got := cpuShare(tally{first: 90, second: 200}); got != 0.45 {
		t.Fatalf("share = %v, want 0.45 (90 busy of 200)", got)
	}
	if got := cpuShare(tally{first: 1, second: 2, broken: true}); got != -1 {
		t.Fatalf("share after a missing sample = %v, want -1", got)
	}
	if got := cpuShare(tally{}); got != -1 {
		t.Fatalf("share of nothing = %v, want -1", got)
	}
}

func TestSampleCPUMoves(t *testing.T) {
	a := sampleCPU()
	if !a.ok {
		t.Skip("no /proc/stat here")
	}
	for i := 0; i < 1e6 && sampleCPU().first == a.first; i++ { // reading it is work enough
	}
	if b := sampleCPU(); b.first <= a.first || b.second < b.first {
		t.Fatalf("busy %d -> %d, total %d: want busy to grow and stay within total", a.first, b.first, b.second)
	}
}
