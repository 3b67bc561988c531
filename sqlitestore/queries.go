package sqlitestore

import "fmt"

// queries holds the SQL text of one store, built once from its validated,
// quoted table name. Nothing here is ever built from request data.
type queries struct {
	find, commit, delete, all string
	deleteExpiredBatch        string
	deleteExpiredAll          string

	// The owner index (migration 2).
	commitOwned, ownerRows   string
	upsertSameOwner          string
	unownedRows, setOwner    string
	deleteOwner, deleteOwned string
	deleteOwnerExpired       string
	deleteOwnedExpired       string
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
		// created is set on insert only; a NULL owner keeps an anonymous
		// session out of the partial owner index.
		commitOwned: fmt.Sprintf(`INSERT INTO %s (token, data, expiry, owner, device, created, last_seen)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)
ON CONFLICT (token) DO UPDATE SET data = excluded.data, expiry = excluded.expiry,
  owner = excluded.owner, device = excluded.device, last_seen = excluded.last_seen`, table),
		// The usual Commit: a new session, or one whose owner is what the
		// row holds already. Leaving owner out of the conflict's SET list
		// keeps SQLite from rewriting the row's owner index entry; when the
		// owner did change, nothing is written (no row changes) and
		// commitOwned runs instead.
		upsertSameOwner: fmt.Sprintf(`INSERT INTO %s (token, data, expiry, owner, device, created, last_seen)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)
ON CONFLICT (token) DO UPDATE SET data = excluded.data, expiry = excluded.expiry,
  device = excluded.device, last_seen = excluded.last_seen
WHERE owner IS excluded.owner`, table),
		ownerRows: fmt.Sprintf(`SELECT token, coalesce(device, ''), created, last_seen, CAST(expiry AS INTEGER) FROM %s
WHERE owner = ? AND expiry > ? ORDER BY last_seen DESC, token`, table),
		// RevokeOwner deletes the owner's expired rows first, uncounted,
		// then the rest, whose count it reports.
		deleteOwnerExpired: fmt.Sprintf(`DELETE FROM %s WHERE owner = ? AND token <> ? AND expiry <= ?`, table),
		deleteOwner:        fmt.Sprintf(`DELETE FROM %s WHERE owner = ? AND token <> ?`, table),
		// RevokeSession likewise: an expired row goes uncounted.
		deleteOwnedExpired: fmt.Sprintf(`DELETE FROM %s WHERE owner = ? AND token = ? AND expiry <= ?`, table),
		deleteOwned:        fmt.Sprintf(`DELETE FROM %s WHERE owner = ? AND token = ?`, table),
		unownedRows: fmt.Sprintf(`SELECT token, data FROM %s
WHERE owner IS NULL AND expiry > ? AND token > ? ORDER BY token LIMIT ?`, table),
		setOwner: fmt.Sprintf(`UPDATE %s SET owner = ?2, device = ?3,
  created = coalesce(created, ?4), last_seen = coalesce(last_seen, ?4)
WHERE token = ?1 AND owner IS NULL AND data = ?5`, table),
	}
}
