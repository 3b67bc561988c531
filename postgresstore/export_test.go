package postgresstore

// ReaperLockClass exposes the reaper lock's first key to the tests.
const ReaperLockClass = reaperLockClass

// OwnerRowsQuery is the owner listing's SQL for table, for EXPLAIN.
func OwnerRowsQuery(table string) string { return buildQueries(table, false).ownerRows }
