package sqlitestore

import "fmt"

// queries holds the SQL text of one store, built once from its validated,
// quoted table name. Nothing here is ever built from request data.
type queries struct {
	find, commit, delete, all string
	deleteExpiredBatch        string
	deleteExpiredAll          string
}

func buildQueries(table string) queries {
	return queries{
		find: fmt.Sprintf(`SELECT data, CAST(expiry AS INTEGER) FROM %s WHERE token = ? AND expiry > ?`, table),
		commit: fmt.Sprintf(`INSERT INTO %s (token, data, expiry) VALUES (?, ?, ?)
ON CONFLICT (token) DO UPDATE SET data = excluded.data, expiry = excluded.expiry`, table),
		delete: fmt.Sprintf(`DELETE FROM %s WHERE token = ?`, table),
		all:    fmt.Sprintf(`SELECT token, data FROM %s WHERE expiry > ?`, table),
		deleteExpiredBatch: fmt.Sprintf(`DELETE FROM %[1]s WHERE token IN
(SELECT token FROM %[1]s WHERE expiry <= ? ORDER BY expiry LIMIT ?)`, table),
		deleteExpiredAll: fmt.Sprintf(`DELETE FROM %s WHERE expiry <= ?`, table),
	}
}
