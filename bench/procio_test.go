package main

import (
	"os"
	"testing"
)

func TestParseIO(t *testing.T) {
	got := parseIO("rchar: 6976\nwchar: 123456\nsyscr: 10\nsyscw: 42\nread_bytes: 0\nwrite_bytes: 4096\n")
	if want := (counters{first: 123456, second: 42, ok: true}); got != want {
		t.Fatalf("parseIO = %+v, want %+v (wchar and syscw, not write_bytes)", got, want)
	}
	for _, bad := range []string{"", "rchar: 1\nsyscw: 2\n", "wchar: x\nsyscw: 2\n"} {
		if s := parseIO(bad); s.ok {
			t.Errorf("parseIO(%q) = %+v, want not ok", bad, s)
		}
	}
}

func TestIOPerOp(t *testing.T) {
	if b, c := ioPerOp(tally{first: 12000, second: 6}, 4); b != 3000 || c != 1.5 {
		t.Fatalf("ioPerOp(4) = %v bytes, %v calls; want 3000, 1.5", b, c)
	}
	if b, c := ioPerOp(tally{first: 12000, second: 6}, 0); b != -1 || c != -1 {
		t.Fatalf("ioPerOp(0) = %v, %v; want unknown", b, c)
	}
	if b, _ := ioPerOp(tally{first: 12000, second: 6, broken: true}, 4); b != -1 {
		t.Fatalf("after a missing sample ioPerOp = %v, want unknown", b)
	}
}

func TestSampleIOCountsOurWrites(t *testing.T) {
	before := sampleIO()
	if !before.ok {
		t.Skip("no /proc/self/io here")
	}
	f, err := os.CreateTemp(t.TempDir(), "io-")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(make([]byte, 10000)); err != nil {
		t.Fatal(err)
	}
	after := sampleIO()
	if after.first-before.first < 10000 || after.second-before.second < 1 {
		t.Fatalf("wrote 10000 bytes in one call; counted %d bytes in %d calls", after.first-before.first, after.second-before.second)
	}
}
