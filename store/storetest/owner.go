package storetest

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/sessionsql/sessionsql"
)

// Owner keys the owner suite's sessions use: the user id and the device.
const (
	OwnerKey  = "user_id"
	DeviceKey = "device"
)

// RunOwner runs the owner index suite (listing and revoking one owner's
// sessions) against the stores newStore builds, with Config.Owner set to
// sessionsql.GobOwner(OwnerKey, DeviceKey) and sessions encoded by scs's
// gob codec the way a SessionManager encodes them.
func RunOwner(t *testing.T, newStore NewStoreFunc) {
	t.Helper()
	for _, c := range ownerCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := open(t, newStore, sessionsql.GobOwner(OwnerKey, DeviceKey))
			c.run(&ownerEnv{env: *e, o: e.s})
		})
	}
}

// ownerEnv is an env whose owner methods go to o: the store itself, or
// (RunIndexOwners) another store over the same table.
type ownerEnv struct {
	env
	o *sessionsql.Store
}

var ownerCases = []struct {
	name string
	run  func(e *ownerEnv)
}{
	{"ListsOnlyTheOwnersLiveSessions", testOwnerLists},
	{"CreatedStaysLastSeenMoves", testOwnerCreatedLastSeen},
	{"RevokeAllButOne", testRevokeAllButOne},
	{"RevokeEverywhere", testRevokeEverywhere},
	{"RevokeOneSession", testRevokeOneSession},
	{"OwnerFollowsTheData", testOwnerFollowsData},
	{"MultiKeySessions", testOwnerMultiKey},
	{"BadOwnerFailsTheCommit", testBadOwner},
	{"DeviceIsCleaned", testDeviceCleaned},
	{"RevokedStaysRevoked", testRevokedStaysRevoked},
}

// session encodes values the way scs's default codec does.
func (e *ownerEnv) session(values map[string]any) []byte {
	e.t.Helper()
	b, err := scs.GobCodec{}.Encode(e.in(time.Hour), values)
	if err != nil {
		e.t.Fatal(err)
	}
	return b
}

// login commits a session of user (an int64 id, as apps keep it) from device.
func (e *ownerEnv) login(user int64, device string) string {
	e.t.Helper()
	tok := token()
	e.commit(tok, e.session(map[string]any{OwnerKey: user, DeviceKey: device, "cart": []string{"tea"}}), e.in(time.Hour))
	return tok
}

func (e *ownerEnv) list(owner string) []sessionsql.SessionInfo {
	e.t.Helper()
	infos, err := e.o.OwnerSessions(e.ctx(), owner)
	if err != nil {
		e.t.Fatalf("OwnerSessions(%q): %v", owner, err)
	}
	if infos == nil {
		e.t.Fatalf("OwnerSessions(%q) = nil, want a non-nil slice", owner)
	}
	return infos
}

// wantListed checks that owner's listing is exactly tokens, in that order.
func (e *ownerEnv) wantListed(owner string, tokens ...string) []sessionsql.SessionInfo {
	e.t.Helper()
	infos := e.list(owner)
	var got, want []string
	for _, in := range infos {
		got = append(got, in.ID)
	}
	for _, tok := range tokens {
		want = append(want, sessionsql.SessionID(tok))
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		e.t.Fatalf("OwnerSessions(%q) IDs = %v, want %v", owner, got, want)
	}
	return infos
}

// wantLive fails unless tok is a live session.
func (e *ownerEnv) wantLive(tok string) {
	e.t.Helper()
	if _, found, err := e.s.FindCtx(e.ctx(), tok); err != nil || !found {
		e.t.Fatalf("FindCtx(%.20q) = %v, %v; want a live session", tok, found, err)
	}
}

func sameMillis(a, b time.Time) bool {
	return a.Truncate(time.Millisecond).Equal(b.Truncate(time.Millisecond))
}

func testOwnerLists(e *ownerEnv) {
	start := e.clock.Now()
	laptop := e.login(1, "Firefox on Linux")
	e.clock.Advance(time.Minute)
	phone := e.login(1, "Safari on iPhone")
	other := e.login(2, "Chrome on Windows")
	anon := token()
	e.commit(anon, e.session(map[string]any{"cart": []string{"tea"}}), e.in(time.Hour))
	short := e.login(1, "soon gone")
	e.commit(short, e.session(map[string]any{OwnerKey: int64(1)}), e.in(time.Second))
	e.clock.Advance(2 * time.Second) // short has expired

	infos := e.wantListed("1", phone, laptop) // most recently seen first
	if infos[0].Device != "Safari on iPhone" || infos[1].Device != "Firefox on Linux" {
		e.t.Fatalf("devices = %q, %q", infos[0].Device, infos[1].Device)
	}
	if in := infos[1]; !sameMillis(in.Created, start) || !sameMillis(in.LastSeen, start) || !sameMillis(in.Expiry, start.Add(time.Hour)) {
		e.t.Fatalf("laptop session: created %v, last seen %v, expiry %v; want %v, %v, %v",
			in.Created, in.LastSeen, in.Expiry, start, start, start.Add(time.Hour))
	}
	if infos[0].ID == phone || infos[0].ID == sessionsql.SessionID(laptop) {
		e.t.Fatalf("the listing's ID %q must be the session's own digest, not its token", infos[0].ID)
	}
	e.wantListed("2", other)
	e.wantListed("3")
	e.wantLive(anon)
}

func testOwnerCreatedLastSeen(e *ownerEnv) {
	created := e.clock.Now()
	tok := e.login(7, "laptop")
	e.clock.Advance(5 * time.Minute)
	e.commit(tok, e.session(map[string]any{OwnerKey: int64(7), DeviceKey: "laptop", "cart": []string{"tea", "cake"}}), e.in(time.Hour))
	in := e.wantListed("7", tok)[0]
	if !sameMillis(in.Created, created) || !sameMillis(in.LastSeen, e.clock.Now()) {
		e.t.Fatalf("after an update: created %v, last seen %v; want %v, %v", in.Created, in.LastSeen, created, e.clock.Now())
	}
}

func testRevokeAllButOne(e *ownerEnv) {
	current := e.login(1, "laptop")
	old1 := e.login(1, "phone")
	old2 := e.login(1, "tablet")
	other := e.login(2, "someone else")
	n, err := e.o.RevokeOwner(e.ctx(), "1", sessionsql.SessionID(current))
	if err != nil || n != 2 {
		e.t.Fatalf("RevokeOwner(keep current) = %d, %v; want 2", n, err)
	}
	e.wantMissing(old1)
	e.wantMissing(old2)
	e.wantLive(current)
	e.wantLive(other)
	e.wantListed("1", current)
}

func testRevokeEverywhere(e *ownerEnv) {
	stale := token() // expired, not yet reaped: no session, so not counted
	e.commit(stale, e.session(map[string]any{OwnerKey: int64(1), DeviceKey: "old"}), e.in(time.Minute))
	e.clock.Advance(2 * time.Minute)
	a, b := e.login(1, "a"), e.login(1, "b")
	other := e.login(2, "c")
	n, err := e.o.RevokeOwner(e.ctx(), "1", "")
	if err != nil || n != 2 {
		e.t.Fatalf(`RevokeOwner(keep "") with one of the owner's rows expired = %d, %v; want 2, the live ones`, n, err)
	}
	e.wantMissing(a)
	e.wantMissing(b)
	e.wantLive(other)
	if n := e.deleteExpired(0); n != 0 {
		e.t.Fatalf("DeleteExpired after RevokeOwner deleted %d rows; want 0, RevokeOwner deletes the owner's expired rows too", n)
	}
	if n, err := e.o.RevokeOwner(e.ctx(), "1", ""); err != nil || n != 0 {
		e.t.Fatalf("RevokeOwner again = %d, %v; want 0, nil", n, err)
	}
}

func testRevokeOneSession(e *ownerEnv) {
	mine, mine2 := e.login(1, "a"), e.login(1, "b")
	theirs := e.login(2, "c")
	if ok, err := e.o.RevokeSession(e.ctx(), "1", sessionsql.SessionID(theirs)); err != nil || ok {
		e.t.Fatalf("RevokeSession of another owner's session = %v, %v; want false, nil", ok, err)
	}
	e.wantLive(theirs)
	if ok, err := e.o.RevokeSession(e.ctx(), "1", sessionsql.SessionID(mine2)); err != nil || !ok {
		e.t.Fatalf("RevokeSession = %v, %v; want true, nil", ok, err)
	}
	e.wantMissing(mine2)
	e.wantLive(mine)
	if ok, err := e.o.RevokeSession(e.ctx(), "1", "no-such-id"); err != nil || ok {
		e.t.Fatalf("RevokeSession(unknown id) = %v, %v; want false, nil", ok, err)
	}
	stale := token() // expired, not yet reaped: no session, so false
	e.commit(stale, e.session(map[string]any{OwnerKey: int64(1), DeviceKey: "old"}), e.in(time.Minute))
	e.clock.Advance(2 * time.Minute)
	if ok, err := e.o.RevokeSession(e.ctx(), "1", sessionsql.SessionID(stale)); err != nil || ok {
		e.t.Fatalf("RevokeSession of an expired session = %v, %v; want false, nil: it was no live session", ok, err)
	}
	if n := e.deleteExpired(0); n != 0 {
		e.t.Fatalf("DeleteExpired after RevokeSession of an expired row deleted %d rows; want 0, RevokeSession deletes it", n)
	}
	e.wantLive(mine)
}

// testOwnerFollowsData: the owner is read from every Commit, so a session
// that logs out without a new token leaves the listing, and one that logs
// in as someone else moves.
func testOwnerFollowsData(e *ownerEnv) {
	tok := e.login(1, "shared computer")
	e.commit(tok, e.session(map[string]any{"cart": []string{"tea"}}), e.in(time.Hour))
	e.wantListed("1")
	e.commit(tok, e.session(map[string]any{OwnerKey: "alice@example.com"}), e.in(time.Hour))
	e.wantListed("alice@example.com", tok)
	if in := e.list("alice@example.com")[0]; in.Device != "" {
		e.t.Fatalf("device = %q, want none: this session recorded none", in.Device)
	}
}

// testOwnerMultiKey: gob writes map keys in random order; the owner is
// found wherever it lands.
func testOwnerMultiKey(e *ownerEnv) {
	var toks []string
	for i := range 20 {
		values := map[string]any{OwnerKey: int64(42), DeviceKey: "d", "a": i, "b": "x", "c": []string{"y"}, "d": 3.5, "e": true}
		tok := token()
		e.commit(tok, e.session(values), e.in(time.Hour))
		toks = append(toks, tok)
	}
	if got := len(e.list("42")); got != len(toks) {
		e.t.Fatalf("listed %d of %d multi-key sessions", got, len(toks))
	}
}

func testBadOwner(e *ownerEnv) {
	tok := token()
	// Not a gob session, but it holds the owner key's bytes.
	err := e.s.CommitCtx(e.ctx(), tok, []byte("garbage "+OwnerKey), e.in(time.Hour))
	if err == nil || !strings.Contains(err.Error(), "owner") {
		e.t.Fatalf("Commit of undecodable data = %v, want an owner error", err)
	}
	e.wantMissing(tok)
	err = e.s.CommitCtx(e.ctx(), tok, e.session(map[string]any{OwnerKey: "bad\x00id"}), e.in(time.Hour))
	if err == nil || errors.Is(err, sessionsql.ErrClosed) {
		e.t.Fatalf("Commit with a NUL in the owner ID = %v, want an error", err)
	}
	e.wantMissing(tok)
}

func testDeviceCleaned(e *ownerEnv) {
	tok := token()
	device := strings.Repeat("é", 300) + "\x00\xff"
	e.commit(tok, e.session(map[string]any{OwnerKey: int64(5), DeviceKey: device}), e.in(time.Hour))
	got := e.wantListed("5", tok)[0].Device
	if len(got) > 200 || !strings.HasPrefix(device, got) || got == "" {
		e.t.Fatalf("device stored as %d bytes %q, want a prefix of at most 200 bytes", len(got), got)
	}
}

// testOwnerIndexOff: a store built without an OwnerFunc that still has the
// owner methods makes them fail with an error naming Config.Owner, rather
// than answering "no sessions".
func testOwnerIndexOff(e *env) {
	o := e.s
	if _, err := o.OwnerSessions(e.ctx(), "1"); err == nil || !strings.Contains(err.Error(), "Config.Owner") {
		e.t.Fatalf("OwnerSessions without Config.Owner = %v, want an error naming Config.Owner", err)
	}
	if _, err := o.RevokeOwner(e.ctx(), "1", ""); err == nil {
		e.t.Fatal("RevokeOwner without Config.Owner succeeded")
	}
	if _, err := o.RevokeSession(e.ctx(), "1", "x"); err == nil {
		e.t.Fatal("RevokeSession without Config.Owner succeeded")
	}
}

// testRevokedStaysRevoked: a request of a revoked device that was already
// running finishes after the revoke and commits its session again; the
// store does not write it back, until the session's expiry plus the grace
// has passed and the reaper removed what remembered it.
func testRevokedStaysRevoked(e *ownerEnv) {
	current := e.login(1, "laptop")
	stolen := e.login(1, "somewhere else")
	one := e.login(1, "phone")
	inFlight := e.session(map[string]any{OwnerKey: int64(1), DeviceKey: "somewhere else", "cart": []string{"tea", "more"}})
	if _, err := e.o.RevokeOwner(e.ctx(), "1", sessionsql.SessionID(current)); err != nil {
		e.t.Fatal(err)
	}
	e.commit(stolen, inFlight, e.in(time.Hour)) // the in-flight request ends
	e.wantMissing(stolen)
	if _, err := e.o.RevokeSession(e.ctx(), "1", sessionsql.SessionID(current)); err != nil {
		e.t.Fatal(err)
	}
	e.commit(current, e.session(map[string]any{OwnerKey: int64(1)}), e.in(time.Hour))
	e.wantMissing(current)
	e.wantMissing(one)
	e.wantListed("1")

	e.clock.Advance(time.Hour + suiteGrace - time.Second)
	e.commit(stolen, inFlight, e.in(time.Hour)) // a replayed cookie
	e.wantMissing(stolen)
	e.wantListed("1")
	if n := e.deleteExpired(0); n != 0 {
		e.t.Fatalf("DeleteExpired before the revoked sessions' time = %d, want 0", n)
	}
	e.clock.Advance(time.Second)
	if n := e.deleteExpired(0); n != 3 {
		e.t.Fatalf("DeleteExpired once the revoked sessions' time passed = %d, want 3", n)
	}
	if st := e.s.Stats(); st.Refused != 3 {
		e.t.Fatalf("Stats counts %d refused Commits, want 3", st.Refused)
	}
}

// NewStorePairFunc builds two fresh stores over one empty, migrated table
// for a subtest: plain tuned by plainCfg (no owner index), owned by
// ownedCfg (with one).
type NewStorePairFunc func(t testing.TB, plainCfg, ownedCfg sessionsql.Config) (plain, owned *sessionsql.Store)

// RunIndexOwners checks IndexOwners: sessions that plain wrote are indexed
// by owned's IndexOwners, anonymous and expired ones are left alone, and a
// second run finds nothing to do.
func RunIndexOwners(t *testing.T, newStores NewStorePairFunc) {
	t.Helper()
	clock := NewClock(suiteEpoch)
	plain, owned := newStores(t,
		sessionsql.Config{Now: clock.Now, CleanupInterval: -1},
		sessionsql.Config{Now: clock.Now, CleanupInterval: -1, Owner: sessionsql.GobOwner(OwnerKey, DeviceKey)})
	t.Cleanup(func() { _ = plain.Close(); _ = owned.Close() })
	e := &ownerEnv{env: env{t: t, s: plain, clock: clock}, o: owned}
	var mine []string
	for range 3*indexBatchHint + 7 { // more than one batch
		mine = append(mine, e.login(1, "laptop"))
	}
	theirs := e.login(2, "")
	e.commit(token(), e.session(map[string]any{"cart": []string{"tea"}}), e.in(time.Hour))
	gone := token()
	e.commit(gone, e.session(map[string]any{OwnerKey: int64(1)}), e.in(time.Second))
	e.clock.Advance(time.Minute)
	e.wantListed("1") // nothing indexed yet

	n, err := owned.IndexOwners(e.ctx())
	if err != nil || n != int64(len(mine)+1) {
		t.Fatalf("IndexOwners = %d, %v; want %d", n, err, len(mine)+1)
	}
	if got := len(e.list("1")); got != len(mine) {
		t.Fatalf("after IndexOwners owner 1 has %d sessions listed, want %d", got, len(mine))
	}
	e.wantListed("2", theirs)
	if in := e.list("1")[0]; in.Device != "laptop" || in.Created.IsZero() {
		t.Fatalf("an indexed session reads %+v, want its device and a creation time", in)
	}
	if n, err := owned.IndexOwners(e.ctx()); err != nil || n != 0 {
		t.Fatalf("IndexOwners again = %d, %v; want 0", n, err)
	}
}

// indexBatchHint times three is more sessions than one batch of
// IndexOwners reads (500), so that RunIndexOwners crosses batches.
const indexBatchHint = 200
