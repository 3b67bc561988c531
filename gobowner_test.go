package sessionsql_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/sessionsql/sessionsql"
)

func gobSession(t *testing.T, values map[string]any) []byte {
	t.Helper()
	b, err := scs.GobCodec{}.Encode(time.Now(), values)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestGobOwner(t *testing.T) {
	owner := sessionsql.GobOwner("user_id", "device")
	cases := []struct {
		name   string
		values map[string]any
		want   sessionsql.Owner
	}{
		{"int64 id", map[string]any{"user_id": int64(42), "device": "phone", "x": 1}, sessionsql.Owner{ID: "42", Device: "phone"}},
		{"int id", map[string]any{"user_id": 7}, sessionsql.Owner{ID: "7"}},
		{"string id", map[string]any{"user_id": "alice@example.com", "device": "laptop"}, sessionsql.Owner{ID: "alice@example.com", Device: "laptop"}},
		{"anonymous", map[string]any{"cart": []string{"tea"}, "device": "phone"}, sessionsql.Owner{}},
		{"device without owner", map[string]any{"device": "phone"}, sessionsql.Owner{}},
		{"empty session", map[string]any{}, sessionsql.Owner{}},
	}
	for _, c := range cases {
		got, err := owner("tok", gobSession(t, c.values))
		if err != nil || got != c.want {
			t.Errorf("%s: GobOwner = %+v, %v; want %+v", c.name, got, err, c.want)
		}
	}
}

// TestGobOwnerSkipsAnonymousDecoding: data without the owner key's bytes
// is anonymous without being decoded (garbage would fail to decode).
func TestGobOwnerSkipsAnonymousDecoding(t *testing.T) {
	owner := sessionsql.GobOwner("user_id", "")
	if got, err := owner("tok", []byte("not gob at all")); err != nil || got != (sessionsql.Owner{}) {
		t.Fatalf("GobOwner(data without the key) = %+v, %v; want anonymous", got, err)
	}
	if _, err := owner("tok", []byte("not gob, but user_id")); err == nil || !strings.Contains(err.Error(), "decode") {
		t.Fatalf("GobOwner(undecodable data holding the key) = %v, want a decode error", err)
	}
}

// gobCodec is scs.GobCodec behind another type, so CodecOwner takes its
// plain decode-everything path.
type gobCodec struct{ scs.GobCodec }

// jsonCodec is a codec other than gob, as some apps configure.
type jsonCodec struct{}

func (jsonCodec) Encode(deadline time.Time, values map[string]any) ([]byte, error) {
	return json.Marshal(map[string]any{"deadline": deadline, "values": values})
}

func (jsonCodec) Decode(b []byte) (time.Time, map[string]any, error) {
	var v struct {
		Deadline time.Time      `json:"deadline"`
		Values   map[string]any `json:"values"`
	}
	err := json.Unmarshal(b, &v)
	return v.Deadline, v.Values, err
}

func TestCodecOwner(t *testing.T) {
	data, _ := jsonCodec{}.Encode(time.Now(), map[string]any{"uid": "u-1", "ua": "phone"})
	got, err := sessionsql.CodecOwner(jsonCodec{}, "uid", "ua")("tok", data)
	if err != nil || got != (sessionsql.Owner{ID: "u-1", Device: "phone"}) {
		t.Fatalf("CodecOwner = %+v, %v", got, err)
	}
}

func TestSessionID(t *testing.T) {
	a, b := sessionsql.SessionID("token-a"), sessionsql.SessionID("token-b")
	if a == b || a != sessionsql.SessionID("token-a") {
		t.Fatal("SessionID is not a function of the token alone")
	}
	if strings.Contains(a, "token") || len(a) != 22 {
		t.Fatalf("SessionID = %q, want a 22-character digest", a)
	}
}

// BenchmarkGobOwner is the cost the owner index adds to a Commit of a
// logged-in session (an anonymous one costs a byte search): walked, for
// sessions of basic values, times and slices of those, and decoded in
// full for one holding a struct.
func BenchmarkGobOwner(b *testing.B) {
	values := map[string]any{"user_id": int64(42), "name": "Ada", "at": time.Now(), "cart": []string{"tea", "cake"}}
	b.Run("walk", func(b *testing.B) { benchGobOwner(b, values) })
	values["profile"] = profile{Name: "Ada"}
	b.Run("decode", func(b *testing.B) { benchGobOwner(b, values) })
}

func benchGobOwner(b *testing.B, values map[string]any) {
	data, err := scs.GobCodec{}.Encode(time.Now(), values)
	if err != nil {
		b.Fatal(err)
	}
	owner := sessionsql.GobOwner("user_id", "device")
	b.ReportAllocs()
	for b.Loop() {
		if o, err := owner("tok", data); err != nil || o.ID != "42" {
			b.Fatal(o, err)
		}
	}
}
