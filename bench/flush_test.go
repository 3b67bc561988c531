package main

import (
	"os"
	"testing"
)

func TestMeasureFlush(t *testing.T) {
	dir := t.TempDir()
	d, err := measureFlush(dir, 5)
	if err != nil {
		t.Fatal(err)
	}
	if d <= 0 {
		t.Fatalf("median flush %v, want a positive time", d)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Fatalf("the probe left %d files behind", len(left))
	}
	if _, err := measureFlush(dir+"/missing", 5); err == nil {
		t.Fatal("a directory that does not exist: want an error")
	}
	if _, err := measureFlush(dir, 0); err == nil {
		t.Fatal("no flushes: want an error, not a median of nothing")
	}
}
