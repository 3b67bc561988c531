package postgresstore

// ReaperLockClass exposes the reaper lock's first key to the tests.
const ReaperLockClass = reaperLockClass

// OwnerRowsQuery is the owner listing's SQL for table, for EXPLAIN.
func OwnerRowsQuery(table string) string { return buildQueries(table, false).ownerRows }

// OnQueue makes f run whenever an operation of s joins a group's queue.
// Set it before s is used.
func OnQueue(s *Store, f func()) {
	for _, g := range []*group{s.d.finds, s.d.commits, s.d.deletes} {
		g.onQueue = f
	}
}

// OnRun makes f run whenever a statement of s starts, with the number of
// operations it carries. Set it before s is used.
func OnRun(s *Store, f func(n int)) {
	for _, g := range []*group{s.d.finds, s.d.commits, s.d.deletes} {
		g.onRun = f
	}
}

// FindsDirect reports whether s runs its Finds of their own over pgconn.
func FindsDirect(s *Store) bool { return s.d.direct }
