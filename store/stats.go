package store

// Stats counts what a store has done since it was created. Every store
// returns them from its Stats method; all counts only grow.
type Stats struct {
	Finds      int64 // Find calls that reached the database
	FindHits   int64 // of those, the ones that returned a live session
	Commits    int64 // Commit calls that passed validation
	Writes     int64 // of those, the ones that wrote to the database
	TouchSkips int64 // of those, the ones the touch threshold made unnecessary (they wrote nothing: not among Writes)
	Deletes    int64 // Delete calls that reached the database
	Errors     int64 // operations that failed with a system error

	// Grouped counts the Finds, Commits and Deletes that ran together with
	// others: in one statement (postgresstore, see Config.Concurrency) or
	// one transaction (sqlitestore's group commit).
	Grouped int64

	// How long Find, Commit and Delete took, from call to return.
	FindLatency, CommitLatency, DeleteLatency Latency
}
