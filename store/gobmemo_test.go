package store_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/sessionsql/sessionsql/store"
)

// entryBytes is what a gob session's user_id entry of an int64 looks like,
// for planting inside other values.
func entryBytes(t *testing.T, id int64) string {
	t.Helper()
	data := gobSession(t, map[string]any{"user_id": id})
	for i := range data {
		if i+8 <= len(data) && string(data[i:i+8]) == "\x07user_id" {
			return string(data[i:])
		}
	}
	t.Fatal("no user_id entry")
	return ""
}

// TestGobOwnerMatchesFullDecode drives GobOwner with random sessions of a
// few tokens (owners coming and going, devices changing, values that hold
// the keys' bytes and even whole forged owner entries) and checks every
// answer against a full decode. The one allowed difference: a session
// whose owner key is gone but which carries a forged copy of its own
// previous owner entry may keep that previous owner, never anyone else.
func TestGobOwnerMatchesFullDecode(t *testing.T) {
	fast := store.GobOwner("user_id", "device")
	full := store.CodecOwner(gobCodec{}, "user_id", "device")
	rng := rand.New(rand.NewPCG(1, 2))
	forged := map[int64]string{}
	for _, id := range []int64{1, 2, 42} {
		forged[id] = entryBytes(t, id)
	}
	owners := []any{nil, int64(1), int64(2), int64(42), "alice", 7}
	strs := []string{"tea", "user_id", "device", "my device is user_id", forged[1], forged[2], forged[42]}
	previous := map[string][]string{} // token -> owners its sessions had
	for i := range 20000 {
		token := fmt.Sprintf("tok-%d", rng.IntN(4))
		values := map[string]any{}
		if o := owners[rng.IntN(len(owners))]; o != nil {
			values["user_id"] = o
		}
		if rng.IntN(2) == 0 {
			values["device"] = []string{"phone", "laptop", "user_id"}[rng.IntN(3)]
		}
		for k := range rng.IntN(4) {
			values[fmt.Sprintf("k%d", k)] = strs[rng.IntN(len(strs))]
		}
		if rng.IntN(5) == 0 {
			values["cart"] = []string{strs[rng.IntN(len(strs))]}
		}
		data := gobSession(t, values)
		got, err1 := fast(token, data)
		want, err2 := full(token, data)
		if err1 != nil || err2 != nil {
			t.Fatalf("step %d: errors %v, %v", i, err1, err2)
		}
		if got != want {
			_, hasKey := values["user_id"]
			allowed := false
			for _, p := range previous[token] {
				allowed = allowed || (!hasKey && got.ID == p)
			}
			if !allowed {
				t.Fatalf("step %d: token %s values %v: GobOwner = %+v, full decode = %+v", i, token, values, got, want)
			}
		}
		if want.ID != "" {
			previous[token] = append(previous[token], want.ID)
		}
	}
}

// TestGobOwnerNeverTakesAnotherTokensOwner: an anonymous session carrying
// a forged copy of another user's owner entry is anonymous.
func TestGobOwnerNeverTakesAnotherTokensOwner(t *testing.T) {
	owner := store.GobOwner("user_id", "")
	victim := gobSession(t, map[string]any{"user_id": int64(42)})
	if o, _ := owner("victim", victim); o.ID != "42" {
		t.Fatalf("victim owner = %q", o.ID)
	}
	forgery := gobSession(t, map[string]any{"note": entryBytes(t, 42)})
	if o, err := owner("attacker", forgery); err != nil || o.ID != "" {
		t.Fatalf("a forged entry in an anonymous session gave owner %q, %v; want anonymous", o.ID, err)
	}
}
