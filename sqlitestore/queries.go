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

// tombstone is what a delete sets on a session's row: no data, no owner,
// marked deleted, until the later of its expiry and ?2 (now), plus ?3
// (the grace), both in unix milliseconds; a tombstone keeps its own. Every
// Commit of its token is then refused (its upserts update only rows that
// are not deleted), and the reaper deletes it with the expired rows once
// that time has passed.
const tombstone = `data = x'', owner = NULL, device = NULL, deleted = 1,
  expiry = CASE WHEN deleted THEN expiry ELSE max(expiry, ?2) + ?3 END`

func buildQueries(table string) queries {
	return queries{
		find: fmt.Sprintf(`SELECT data, CAST(expiry AS INTEGER) FROM %s WHERE token = ? AND expiry > ? AND NOT deleted`, table),
		commit: fmt.Sprintf(`INSERT INTO %s (token, data, expiry) VALUES (?, ?, ?)
ON CONFLICT (token) DO UPDATE SET data = excluded.data, expiry = excluded.expiry WHERE NOT deleted`, table),
		// A Delete leaves a tombstone, a session or none under the token,
		// and an existing tombstone as it is, unwritten.
		delete: fmt.Sprintf(`INSERT INTO %s (token, data, expiry, deleted) VALUES (?1, x'', ?2 + ?3, 1)
ON CONFLICT (token) DO UPDATE SET %s WHERE NOT deleted`, table, tombstone),
		all: fmt.Sprintf(`SELECT token, data FROM %s WHERE expiry > ? AND NOT deleted`, table),
		deleteExpiredBatch: fmt.Sprintf(`DELETE FROM %[1]s WHERE token IN
(SELECT token FROM %[1]s WHERE expiry <= ? ORDER BY expiry LIMIT ?)`, table),
		deleteExpiredAll: fmt.Sprintf(`DELETE FROM %s WHERE expiry <= ?`, table),
		// created is set on insert only; a NULL owner keeps an anonymous
		// session out of the partial owner index.
		commitOwned: fmt.Sprintf(`INSERT INTO %s (token, data, expiry, owner, device, created, last_seen)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)
ON CONFLICT (token) DO UPDATE SET data = excluded.data, expiry = excluded.expiry,
  owner = excluded.owner, device = excluded.device, last_seen = excluded.last_seen
WHERE NOT deleted`, table),
		// The usual Commit: a new session, or one whose owner is what the
		// row holds already. Leaving owner out of the conflict's SET list
		// keeps SQLite from rewriting the row's owner index entry; when the
		// owner did change, nothing is written (no row changes) and
		// commitOwned runs instead.
		upsertSameOwner: fmt.Sprintf(`INSERT INTO %s (token, data, expiry, owner, device, created, last_seen)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)
ON CONFLICT (token) DO UPDATE SET data = excluded.data, expiry = excluded.expiry,
  device = excluded.device, last_seen = excluded.last_seen
WHERE owner IS excluded.owner AND NOT deleted`, table),
		// A tombstone has no owner: the owner index never holds one. NOT
		// deleted keeps one out all the same, should a store of a version
		// before tombstones have written an owner over it.
		ownerRows: fmt.Sprintf(`SELECT token, coalesce(device, ''), created, last_seen, CAST(expiry AS INTEGER) FROM %s
WHERE owner = ? AND expiry > ? AND NOT deleted ORDER BY last_seen DESC, token`, table),
		// RevokeOwner turns the owner's expired rows into tombstones first,
		// uncounted, then the rest, whose count it reports: the first
		// statement leaves none of its rows with an owner.
		deleteOwnerExpired: fmt.Sprintf(`UPDATE %s SET %s WHERE owner = ?1 AND token <> ?4 AND expiry <= ?2`, table, tombstone),
		deleteOwner:        fmt.Sprintf(`UPDATE %s SET %s WHERE owner = ?1 AND token <> ?4`, table, tombstone),
		// RevokeSession likewise: an expired row goes uncounted.
		deleteOwnedExpired: fmt.Sprintf(`UPDATE %s SET %s WHERE owner = ?1 AND token = ?4 AND expiry <= ?2`, table, tombstone),
		deleteOwned:        fmt.Sprintf(`UPDATE %s SET %s WHERE owner = ?1 AND token = ?4`, table, tombstone),
		unownedRows: fmt.Sprintf(`SELECT token, data FROM %s
WHERE owner IS NULL AND expiry > ? AND token > ? AND NOT deleted ORDER BY token LIMIT ?`, table),
		setOwner: fmt.Sprintf(`UPDATE %s SET owner = ?2, device = ?3,
  created = coalesce(created, ?4), last_seen = coalesce(last_seen, ?4)
WHERE token = ?1 AND owner IS NULL AND data = ?5 AND NOT deleted`, table),
	}
}
