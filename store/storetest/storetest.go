// Package storetest is the conformance suite every sessionsql Driver
// passes: scs's store contract and sessionsql's own promises (expiry by
// the store's clock, batched deletion of expired sessions, deletes that
// are final, bad input, cancellation, Close), run through a
// sessionsql.Store over the Driver.
//
// A driver's test calls Run with a function that builds a fresh, empty,
// migrated store from the Config the suite gives it:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t testing.TB, cfg sessionsql.Config) *sessionsql.Store {
//			return sessionsql.NewStore(newDriver(t), cfg)
//		})
//	}
//
// A backend with a Config of its own embeds cfg in it. The suite's Config
// sets Now to a clock of its own (every expiry case is driven by that
// clock, never by sleeping), turns background cleanup off so that only
// the suite deletes, sets DeleteGrace to 5 minutes and leaves MaxDataSize
// at its default; RunOwner's also sets Owner. Run closes each store when its subtest ends. Subtests
// run in parallel, so each store needs its own table, schema or file.
package storetest

import (
	"testing"

	"github.com/sessionsql/sessionsql"
)

// NewStoreFunc builds a fresh, empty, migrated store for one subtest,
// tuned by cfg.
type NewStoreFunc func(t testing.TB, cfg sessionsql.Config) *sessionsql.Store

// env is what one subtest works with.
type env struct {
	t     *testing.T
	s     *sessionsql.Store
	clock *Clock
}

// Run runs the conformance suite against the stores newStore builds.
func Run(t *testing.T, newStore NewStoreFunc) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.run(open(t, newStore, nil))
		})
	}
}

// open builds a subtest's store over a clock of its own, with owner as its
// OwnerFunc, and closes it when t ends.
func open(t *testing.T, newStore NewStoreFunc, owner sessionsql.OwnerFunc) *env {
	t.Helper()
	clock := NewClock(suiteEpoch)
	s := newStore(t, sessionsql.Config{Now: clock.Now, CleanupInterval: -1, DeleteGrace: suiteGrace, Owner: owner})
	if s == nil {
		t.Fatal("newStore returned nil")
	}
	t.Cleanup(func() { _ = s.Close() })
	return &env{t: t, s: s, clock: clock}
}

type testCase struct {
	name string
	run  func(e *env)
}

// cases is every conformance check, in the order they are reported.
var cases = []testCase{
	{"UsesTheConfigClock", testUsesConfigClock},
	{"FindMissing", testFindMissing},
	{"FindHit", testFindHit},
	{"FindExpired", testFindExpired},
	{"CommitOverwritesDataAndExpiry", testCommitOverwrites},
	{"CommitEmptyData", testCommitEmptyData},
	{"BinaryDataRoundTrips", testBinaryData},
	{"ExpiryTimeZones", testExpiryTimeZones},
	{"Delete", testDelete},
	{"DeleteMissing", testDeleteMissing},
	{"DeleteIsFinal", testDeleteIsFinal},
	{"DeleteUnknownIsFinal", testDeleteUnknownIsFinal},
	{"DeleteExpiredSessionIsFinal", testDeleteExpiredSessionIsFinal},
	{"DeleteAgainKeepsTheTombstone", testDeleteAgainKeepsTheTombstone},
	{"CommitRacingDelete", testCommitRacingDelete},
	{"AllEmptyIsNonNil", testAllEmpty},
	{"AllSkipsExpired", testAllSkipsExpired},
	{"DeleteExpiredInBatches", testDeleteExpiredBatches},
	{"DeleteExpiredUnlimited", testDeleteExpiredUnlimited},
	{"DeleteExpiredKeepsExtended", testDeleteExpiredKeepsExtended},
	{"PlainMethods", testPlainMethods},
	{"HashedTokens", testHashedTokens},
	{"HostileTokens", testHostileTokens},
	{"InvalidTokens", testInvalidTokens},
	{"OversizedData", testOversizedData},
	{"DataAtSizeLimit", testDataAtLimit},
	{"ContextCanceled", testContextCanceled},
	{"ContextDeadline", testContextDeadline},
	{"Closed", testClosed},
	{"CloseUnderLoad", testCloseUnderLoad},
	{"Concurrent", testConcurrent},
	{"OwnerIndexOffSaysSo", testOwnerIndexOff},
}
