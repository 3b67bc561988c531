// Package storetest is the conformance suite every sessionsql backend
// passes: the scs store contract plus sessionsql's own promises (batched
// expiry deletion, bad-input handling, cancellation, Close).
//
// A backend's test calls Run with a function that builds a fresh, empty,
// migrated store for each subtest:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store {
//			s, err := mystore.NewWithConfig(db(t), mystore.Config{
//				Now:             storetest.ClockFor(t).Now,
//				CleanupInterval: -1,
//			})
//			if err != nil {
//				t.Fatal(err)
//			}
//			return s
//		})
//	}
//
// The store must use storetest.ClockFor(t).Now as its clock (every expiry
// case is driven by that clock, never by sleeping), should leave background
// cleanup off so that only the suite deletes, and must keep the default
// MaxDataSize. Run closes each store when its subtest ends. Subtests run in
// parallel, so newStore must give each one its own table, schema or file.
package storetest

import (
	"testing"

	"github.com/sessionsql/sessionsql/store"
)

// NewStoreFunc builds a fresh, empty, migrated store for one subtest.
type NewStoreFunc func(t *testing.T) store.Store

// env is what one subtest works with.
type env struct {
	t     *testing.T
	s     store.Store
	clock *Clock
}

// Run runs the conformance suite against the stores newStore builds.
func Run(t *testing.T, newStore NewStoreFunc) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			clock := registerClock(t)
			s := newStore(t)
			if s == nil {
				t.Fatal("newStore returned nil")
			}
			t.Cleanup(func() { _ = s.Close() })
			c.run(&env{t: t, s: s, clock: clock})
		})
	}
}

type testCase struct {
	name string
	run  func(e *env)
}

// cases is every conformance check, in the order they are reported.
var cases = []testCase{
	{"UsesInjectedClock", testUsesInjectedClock},
	{"FindMissing", testFindMissing},
	{"FindHit", testFindHit},
	{"FindExpired", testFindExpired},
	{"CommitOverwritesDataAndExpiry", testCommitOverwrites},
	{"CommitEmptyData", testCommitEmptyData},
	{"BinaryDataRoundTrips", testBinaryData},
	{"ExpiryTimeZones", testExpiryTimeZones},
	{"Delete", testDelete},
	{"DeleteMissing", testDeleteMissing},
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
