package postgresstore_test

import (
	"testing"

	"github.com/sessionsql/sessionsql/postgresstore"
	"github.com/sessionsql/sessionsql/store/storetest"
)

// FuzzStore checks random operation sequences against the contract's
// model (storetest.Fuzz): go test -run '^$' -fuzz FuzzStore ./postgresstore
func FuzzStore(f *testing.F) { storetest.Fuzz(f, build(postgresstore.Config{}, nil)) }
