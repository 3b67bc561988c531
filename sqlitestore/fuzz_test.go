package sqlitestore_test

import (
	"testing"

	"github.com/sessionsql/sessionsql/store/storetest"
)

// FuzzStore checks random operation sequences against the contract's
// model (storetest.Fuzz): go test -run '^$' -fuzz FuzzStore ./sqlitestore
func FuzzStore(f *testing.F) { storetest.Fuzz(f, builds["Open"]) }
