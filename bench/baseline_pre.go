//go:build baseline && baselinepre

package main

import (
	basepg "github.com/sessionsql/baseline/postgresstore"
	basesqlite "github.com/sessionsql/baseline/sqlitestore"
)

// The baseline's stores, in the API before the redesign (f7aeebe): each
// backend's own Config and Store.
func init() {
	setBaseline(basepg.Migrate,
		basepg.NewWithConfig, basepg.Config{CleanupInterval: -1},
		basesqlite.Open, basesqlite.Config{CleanupInterval: -1})
}
