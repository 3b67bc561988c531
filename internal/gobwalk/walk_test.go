package gobwalk_test

import (
	"encoding/gob"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/sessionsql/sessionsql/internal/gobwalk"
)

type point struct{ X, Y int }

func init() {
	gob.Register(time.Time{})
	gob.Register(point{})
	gob.Register([]any{})
	gob.Register(map[string]any{})
}

func encode(t *testing.T, deadline time.Time, values map[string]any) []byte {
	t.Helper()
	b, err := scs.GobCodec{}.Encode(deadline, values)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// value is a random session value; flat ones most of the time.
func value(rng *rand.Rand) any {
	switch rng.IntN(12) {
	case 0:
		return rng.IntN(5)
	case 1:
		return int64(rng.IntN(5))
	case 2:
		return fmt.Sprint("s", rng.IntN(3))
	case 3:
		return []string{fmt.Sprint("a", rng.IntN(2)), "b"}
	case 4:
		return time.Unix(int64(rng.IntN(3)), 0).UTC()
	case 5:
		return rng.IntN(2) == 0
	case 6:
		return float64(rng.IntN(3)) / 2
	case 7:
		return []byte{byte(rng.IntN(3))}
	case 8:
		return uint(rng.IntN(3))
	case 9:
		return point{X: rng.IntN(2)} // composite: not walkable
	case 10:
		return []int{rng.IntN(2)}
	default:
		return nil
	}
}

func randomSession(rng *rand.Rand) map[string]any {
	v := map[string]any{}
	for i := range rng.IntN(8) {
		v[fmt.Sprint("k", i)] = value(rng)
	}
	return v
}

// mutate changes one thing about a session, or nothing.
func mutate(rng *rand.Rand, v map[string]any) map[string]any {
	out := map[string]any{}
	for k, x := range v {
		out[k] = x
	}
	switch rng.IntN(4) {
	case 0:
		out[fmt.Sprint("k", rng.IntN(8))] = value(rng)
	case 1:
		delete(out, fmt.Sprint("k", rng.IntN(8)))
	case 2:
		out["extra"] = value(rng)
	}
	return out
}

// TestSameAgreesWithDecoding: for random pairs of sessions (re-encodings
// of one session, whose bytes differ by map order, and sessions one change
// apart), Same never calls two different sessions the same, and calls
// every pair of walkable equal sessions the same.
func TestSameAgreesWithDecoding(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	deadline := time.Unix(1e9, 0).UTC()
	walked := 0
	for i := range 20000 {
		a := randomSession(rng)
		b := mutate(rng, a)
		da, db := encode(t, deadline, a), encode(t, deadline, b)
		s, okA := gobwalk.Parse(da)
		same, okB := s.Same(db, nil)
		_, va, _ := scs.GobCodec{}.Decode(da)
		_, vb, _ := scs.GobCodec{}.Decode(db)
		equal := reflect.DeepEqual(va, vb)
		if !okA || !okB {
			continue
		}
		walked++
		if same != equal {
			t.Fatalf("pair %d: Same = %v, decoded equal = %v\na = %#v\nb = %#v", i, same, equal, a, b)
		}
	}
	if walked < 5000 {
		t.Fatalf("only %d of 20000 pairs could be walked", walked)
	}
}

// TestSameSeesTheDeadline: equal values under another deadline differ.
func TestSameSeesTheDeadline(t *testing.T) {
	v := map[string]any{"user_id": 7}
	s, _ := gobwalk.Parse(encode(t, time.Unix(1e9, 0), v))
	if same, ok := s.Same(encode(t, time.Unix(1e9+1, 0), v), nil); !ok || same {
		t.Fatalf("Same across deadlines = %v, %v; want false, true", same, ok)
	}
}

// TestWalkFindsEveryEntry: the entries Walk returns are the decoded map's
// keys, with their registered type names.
func TestWalkFindsEveryEntry(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for range 2000 {
		values := randomSession(rng)
		data := encode(t, time.Now(), values)
		_, entries, ok := gobwalk.Walk(data, nil)
		if !ok {
			continue
		}
		if len(entries) != len(values) {
			t.Fatalf("Walk found %d entries in %#v", len(entries), values)
		}
		for _, e := range entries {
			v, present := values[string(e.Key)]
			if !present {
				t.Fatalf("Walk found key %q not in %#v", e.Key, values)
			}
			if v == nil && len(e.Type) != 0 || v != nil && string(e.Type) != reflect.TypeOf(v).String() {
				t.Fatalf("key %q: type %q, value %#v", e.Key, e.Type, v)
			}
		}
	}
}

// TestWalkRefusesComposites: a struct value sends the caller to a full
// decode.
func TestWalkRefusesComposites(t *testing.T) {
	if _, _, ok := gobwalk.Walk(encode(t, time.Now(), map[string]any{"p": point{1, 2}}), nil); ok {
		t.Fatal("Walk walked a session holding a struct")
	}
}

func BenchmarkSame(b *testing.B) {
	values := map[string]any{"user_id": 42, "name": "Ada", "at": time.Unix(1e9, 0), "cart": []string{"tea", "cake"}, "flash": "Saved."}
	x, _ := scs.GobCodec{}.Encode(time.Unix(2e9, 0), values)
	y, _ := scs.GobCodec{}.Encode(time.Unix(2e9, 0), values)
	s, _ := gobwalk.Parse(x)
	var scratch []gobwalk.Entry
	b.ReportAllocs()
	for b.Loop() {
		same, ok := s.Same(y, &scratch)
		if !same || !ok {
			b.Fatal(same, ok)
		}
	}
}
