package sessionsql_test

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/sessionsql/sessionsql"
)

// profile is an app type kept in sessions, registered with gob as apps do.
type profile struct {
	Name  string
	Roles []string
	Extra map[string]any
}

func init() {
	gob.Register(profile{})
	gob.Register(time.Time{})
	gob.Register(map[string]any{})
	gob.Register([]any{})
}

// randomValue is a session value of one of the many shapes apps keep.
func randomValue(rng *rand.Rand, strs []string) any {
	switch rng.IntN(16) {
	case 0:
		return int64(rng.Int64N(math.MaxInt64)) - math.MaxInt64/2
	case 1:
		return rng.IntN(300) - 150
	case 2:
		return uint64(rng.Uint64())
	case 3:
		return uint8(rng.IntN(256))
	case 4:
		return int32(rng.Int32())
	case 5:
		return strs[rng.IntN(len(strs))]
	case 6:
		return time.Unix(rng.Int64N(1<<32), 0)
	case 7:
		return []string{strs[rng.IntN(len(strs))], "x"}
	case 8:
		return rng.Float64()
	case 9:
		return rng.IntN(2) == 0
	case 10:
		return []byte(strs[rng.IntN(len(strs))])
	case 11:
		return profile{Name: strs[rng.IntN(len(strs))], Roles: []string{"a"}, Extra: map[string]any{"user_id": int64(9), "n": []uint{7}, "s": strs[rng.IntN(len(strs))]}}
	case 12:
		return map[string]any{"user_id": "nested", "device": "nested"}
	case 13:
		return []any{int64(1), "user_id", time.Now(), []int{1}, map[string]any{"user_id": "inner"}}
	case 14:
		return ""
	default:
		return int16(rng.IntN(1000))
	}
}

// TestGobOwnerMatchesFullDecode drives GobOwner with random sessions (user
// ids of every integer width and strings, devices of every type, values
// that need type definitions mid-stream, nested maps and slices holding the
// same keys, strings holding whole forged owner entries) and checks every
// answer against a full gob decode.
func TestGobOwnerMatchesFullDecode(t *testing.T) {
	fast := sessionsql.GobOwner("user_id", "device")
	full := sessionsql.CodecOwner(gobCodec{}, "user_id", "device")
	forged := string(gobSession(t, map[string]any{"user_id": int64(42), "device": "forged"}))
	strs := []string{"tea", "user_id", "device", "\x07user_id\x05int64\x04\x02\x00\x54", forged, "é", ""}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 20000 {
		values := map[string]any{}
		if rng.IntN(4) != 0 {
			values["user_id"] = randomValue(rng, strs)
		}
		if rng.IntN(2) == 0 {
			values["device"] = randomValue(rng, strs)
		}
		for k := range rng.IntN(6) {
			values[fmt.Sprintf("k%d", k)] = randomValue(rng, strs)
		}
		if rng.IntN(10) == 0 {
			values["user_id"] = nil
		}
		data := gobSession(t, values)
		got, err1 := fast("tok", data)
		want, err2 := full("tok", data)
		if err1 != nil || err2 != nil {
			t.Fatalf("step %d: errors %v, %v (values %v)", i, err1, err2, values)
		}
		if got != want {
			t.Fatalf("step %d: values %#v: GobOwner = %+v, full decode = %+v", i, values, got, want)
		}
	}
}

// TestGobOwnerRejectsDamage: on truncated or altered streams (which scs
// never writes) GobOwner never panics, never fails where a full decode
// succeeds, and agrees with it whenever both succeed; streams without the
// key's bytes are anonymous, as documented. (Damage the walk does not look
// at, such as a bad type name in an unrelated entry, may still give the
// owner where a full decode gives up, and GobOwner trusts the type
// definitions at the stream's start to be scs's, so damage is made after
// them.)
func TestGobOwnerRejectsDamage(t *testing.T) {
	fast := sessionsql.GobOwner("user_id", "device")
	full := sessionsql.CodecOwner(gobCodec{}, "user_id", "device")
	data := gobSession(t, map[string]any{"user_id": int64(42), "device": "phone", "when": time.Now(), "cart": []string{"tea"}})
	valueStart := bytes.Index(data, []byte("user_id")) - 1 // well inside the value message
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 5000 {
		damaged := append([]byte(nil), data...)
		switch i % 3 {
		case 0:
			damaged = damaged[:rng.IntN(len(damaged))]
		default: // in the value: GobOwner trusts the stream's type definitions
			at := valueStart + rng.IntN(len(damaged)-valueStart)
			damaged[at] ^= byte(1 + rng.IntN(255))
		}
		got, err1 := fast("tok", damaged)
		if !bytes.Contains(damaged, []byte("user_id")) {
			if err1 != nil || got != (sessionsql.Owner{}) {
				t.Fatalf("damage %d: without the key's bytes GobOwner = %+v, %v; want anonymous", i, got, err1)
			}
			continue // anonymous without decoding, by design
		}
		want, err2 := full("tok", damaged)
		if err1 == nil && err2 == nil && got != want {
			t.Fatalf("damage %d: GobOwner = %+v; full decode = %+v", i, got, want)
		}
		if err1 != nil && err2 == nil {
			t.Fatalf("damage %d: GobOwner failed (%v) where a full decode gives %+v", i, err1, want)
		}
	}
}
