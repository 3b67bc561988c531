package sessionsql

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"
)

// multiKey is a session with enough keys that gob's random map order makes
// two encodings of it differ.
func multiKey(extra string) map[string]any {
	v := map[string]any{"user_id": 7, "extra": extra}
	for i := range 10 {
		v[fmt.Sprintf("k%d", i)] = fmt.Sprintf("value %d", i)
	}
	return v
}

func encode(t *testing.T, deadline time.Time, v map[string]any) []byte {
	t.Helper()
	b, err := scs.GobCodec{}.Encode(deadline, v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSameSessionComparesValuesNotBytes(t *testing.T) {
	deadline := time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC)
	first := encode(t, deadline, multiKey("a"))
	differ := false
	for range 50 {
		again := encode(t, deadline, multiKey("a"))
		if !bytes.Equal(first, again) {
			differ = true
			if !sameSession(scs.GobCodec{}, first, again) {
				t.Fatal("two encodings of one session compare different")
			}
		}
	}
	if !differ {
		t.Fatal("50 encodings of a 12-key session were byte-identical; the test no longer exercises the decoding path")
	}
	if sameSession(scs.GobCodec{}, first, encode(t, deadline, multiKey("b"))) {
		t.Fatal("sessions with different values compare equal")
	}
	if sameSession(scs.GobCodec{}, first, encode(t, deadline.Add(time.Second), multiKey("a"))) {
		t.Fatal("sessions with different deadlines compare equal")
	}
	if sameSession(scs.GobCodec{}, first, []byte("not gob")) || sameSession(scs.GobCodec{}, []byte("x"), []byte("y")) {
		t.Fatal("undecodable data compares equal")
	}
}

func TestTouchUnchanged(t *testing.T) {
	deadline := time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC)
	stored := time.Date(2039, 6, 1, 12, 0, 0, 0, time.UTC)
	data := encode(t, deadline, multiKey("a"))
	tc := newTouch(time.Minute, nil)
	if tc.unchanged("tok", data, stored.Add(time.Second)) {
		t.Fatal("a token Find never read was skipped")
	}
	tc.remember("tok", data, stored)
	same := encode(t, deadline, multiKey("a"))
	for _, c := range []struct {
		name   string
		data   []byte
		expiry time.Time
		skip   bool
	}{
		{"same values, expiry 59s later", same, stored.Add(59 * time.Second), true},
		{"same values, same expiry", same, stored, true},
		{"same values, expiry a full threshold later", same, stored.Add(time.Minute), false},
		{"same values, expiry earlier", same, stored.Add(-time.Second), false},
		{"changed values", encode(t, deadline, multiKey("b")), stored.Add(time.Second), false},
	} {
		if got := tc.unchanged("tok", c.data, c.expiry); got != c.skip {
			t.Errorf("%s: skip = %v, want %v", c.name, got, c.skip)
		}
	}
	tc.forget("tok")
	if tc.unchanged("tok", same, stored.Add(time.Second)) {
		t.Fatal("a forgotten token was skipped")
	}
}

// TestTouchKeepsACopy: a caller changing the slice Find returned cannot
// change what the store compares with.
func TestTouchKeepsACopy(t *testing.T) {
	stored := time.Now()
	data := encode(t, time.Now().Add(time.Hour), multiKey("a"))
	original := bytes.Clone(data)
	tc := newTouch(time.Minute, nil)
	tc.remember("tok", data, stored)
	for i := range data {
		data[i] = 0
	}
	if !tc.unchanged("tok", original, stored.Add(time.Second)) {
		t.Fatal("the remembered session changed with the caller's slice")
	}
}

// TestTouchMemoryIsBounded: remembering more than the budget drops the
// oldest generation, and huge sessions are not kept at all.
func TestTouchMemoryIsBounded(t *testing.T) {
	tc := newTouch(time.Minute, nil)
	tc.maxBytes = 64 << 10
	data := make([]byte, 1<<10)
	for i := range 200 {
		tc.remember(fmt.Sprint("tok", i), data, time.Now())
	}
	tc.mu.Lock()
	kept := tc.curBytes
	for _, s := range tc.prev {
		kept += len(s.data)
	}
	_, oldest := tc.cur["tok0"]
	_, oldestPrev := tc.prev["tok0"]
	tc.mu.Unlock()
	if kept > tc.maxBytes {
		t.Fatalf("touch keeps %d bytes, budget %d", kept, tc.maxBytes)
	}
	if oldest || oldestPrev {
		t.Fatal("the oldest entry survived 200 newer ones over a 64-entry budget")
	}
	tc.remember("huge", make([]byte, tc.maxBytes), time.Now())
	if tc.unchanged("huge", make([]byte, tc.maxBytes), time.Now()) {
		t.Fatal("a session larger than the budget allows was remembered")
	}
}

// sameSession reports whether two encoded sessions hold the same deadline
// and values. Equal bytes are the quick answer; otherwise both are decoded,
// because gob writes a map's keys in random order, so two encodings of one
// session rarely match byte for byte. Anything that fails to decode counts
// as different, so the Commit writes.
func sameSession(codec scs.Codec, a, b []byte) bool {
	if bytes.Equal(a, b) {
		return true
	}
	da, va, err := codec.Decode(a)
	if err != nil {
		return false
	}
	return sameValues(codec, da, va, b)
}
