package postgresstore

import "fmt"

// queries holds the SQL text of one store, built once from its validated,
// quoted table name. Nothing here is ever built from request data.
type queries struct {
	find, commit, delete, all string
	deleteExpiredBatch        string
	deleteExpiredAll          string
	tryReaperLock             string
}

// reaperLockClass is the first key of the two-key advisory lock that keeps
// reapers of one table from running batches at the same time; the second key
// is the table's oid, so reapers of different tables never wait on each other.
const reaperLockClass int32 = 0x5e551

func buildQueries(table string) queries {
	return queries{
		find: fmt.Sprintf(`SELECT data FROM %s WHERE token = $1 AND expiry > $2`, table),
		commit: fmt.Sprintf(`INSERT INTO %s (token, data, expiry) VALUES ($1, $2, $3)
ON CONFLICT (token) DO UPDATE SET data = EXCLUDED.data, expiry = EXCLUDED.expiry`, table),
		delete: fmt.Sprintf(`DELETE FROM %s WHERE token = $1`, table),
		all:    fmt.Sprintf(`SELECT token, data FROM %s WHERE expiry > $1`, table),
		deleteExpiredBatch: fmt.Sprintf(`DELETE FROM %[1]s AS s
USING (SELECT token FROM %[1]s WHERE expiry <= $1 ORDER BY expiry LIMIT $2 FOR UPDATE SKIP LOCKED) AS doomed
WHERE s.token = doomed.token AND s.expiry <= $1`, table),
		deleteExpiredAll: fmt.Sprintf(`DELETE FROM %s WHERE expiry <= $1`, table),
		tryReaperLock:    `SELECT pg_try_advisory_xact_lock($1::int4, ($2::regclass::oid::bigint - 2147483648)::int4)`,
	}
}
