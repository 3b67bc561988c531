//go:build baseline && !baselinepre

package main

import (
	base "github.com/sessionsql/baseline"
	basepg "github.com/sessionsql/baseline/postgresstore"
	basesqlite "github.com/sessionsql/baseline/sqlitestore"
)

// The baseline's stores, in the API the redesign gave the project: a
// build of a revision before it has baseline_pre.go instead.
func init() {
	setBaseline(basepg.Migrate,
		basepg.NewWithConfig, basepg.Config{Config: base.Config{CleanupInterval: -1}},
		basesqlite.Open, basesqlite.Config{Config: base.Config{CleanupInterval: -1}})
}
