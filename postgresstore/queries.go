package postgresstore

import (
	"fmt"
	"time"
)

// queries holds the SQL text of one store, built once from its validated,
// quoted table name. Nothing here is ever built from request data.
type queries struct {
	find, commit, delete, all string
	deleteExpired             string

	// Grouped operations: many tokens in one statement (see group).
	findMany, commitMany, deleteMany string

	// The owner index (migration 2).
	commitOwned, commitOwnedMany string
	ownerRows                    string
	deleteOwner, deleteOwned     string
	unownedRows, setOwner        string
}

// reaperLockClass is the first key of the two-key advisory lock that keeps
// reapers of one table from running batches at the same time; the second key
// is the table's oid, so reapers of different tables never wait on each other.
const reaperLockClass int32 = 0x5e551

// upsert is a commit statement: columns are the inserted ones, values
// their parameters, update what a conflict sets, unless the row is a
// deleted session's tombstone: then it writes nothing, and reports no row
// affected. The existing row is s. With async, set_config(..., true) lasts
// until the end of the statement's own implicit transaction, whose commit
// is then asynchronous; the connection's setting is untouched.
func upsert(table, columns, values, update string, async bool) string {
	if async {
		return fmt.Sprintf(`INSERT INTO %s AS s (%s)
SELECT %s FROM (SELECT set_config('synchronous_commit', 'off', true)) AS async
ON CONFLICT (token) DO UPDATE SET %s WHERE NOT s.deleted`, table, columns, values, update)
	}
	return fmt.Sprintf(`INSERT INTO %s AS s (%s) VALUES (%s)
ON CONFLICT (token) DO UPDATE SET %s WHERE NOT s.deleted`, table, columns, values, update)
}

// tombstone is what a delete sets on a session's row, s: no data, no
// owner, marked deleted, until the later of its expiry and $now, plus
// $grace microseconds (a tombstone keeps its own). Every Commit of its
// token is then refused (see upsert), and the reaper deletes it with the
// expired rows once that time has passed.
func tombstone(now, grace string) string {
	return fmt.Sprintf(`data = '\x', owner = NULL, device = NULL, deleted = true,
  expiry = CASE WHEN s.deleted THEN s.expiry ELSE greatest(s.expiry, %[1]s::timestamptz) + %[2]s::bigint * interval '1 microsecond' END`, now, grace)
}

// groupLockTimeout is how long a grouped write waits for any one row lock
// (PostgreSQL's lock_timeout applies to each wait, not to the statement)
// before it gives up, so that one session's row held elsewhere (a
// revocation, an app's own transaction) never holds up the other
// operations of its statement: they then run again on their own (see
// settle). Row locks between the store's own statements last a commit.
const groupLockTimeout = 100 * time.Millisecond

// groupSettings is the CTE that sets, for the rest of a grouped write's
// implicit transaction, groupLockTimeout and, with async, asynchronous
// commit. Joined into the rows the statement writes, it is evaluated before
// the first of them is locked.
func groupSettings(async bool, lockTimeout time.Duration) string {
	set := fmt.Sprintf(`set_config('lock_timeout', '%dms', true)`, lockTimeout.Milliseconds())
	if async {
		set += `, set_config('synchronous_commit', 'off', true)`
	}
	return `WITH settings AS MATERIALIZED (SELECT ` + set + `)`
}

// upsertMany is upsert for many rows at once, in one statement: columns
// come from the parallel arrays of arrays (one per column, "$1::text[]" and
// so on) as the columns of unnest, in the arrays' order, which is the order
// their rows are locked in. It returns the tokens it wrote.
func upsertMany(table, columns, arrays, update string, async bool, lockTimeout time.Duration) string {
	return fmt.Sprintf(`%s
INSERT INTO %s AS s (%s)
SELECT %s FROM unnest(%s) AS u(%s), settings
ON CONFLICT (token) DO UPDATE SET %s WHERE NOT s.deleted
RETURNING s.token`, groupSettings(async, lockTimeout), table, columns, columns, arrays, columns, update)
}

// buildQueries builds the SQL of a store of table; lockTimeout is
// groupLockTimeout, which the tests lengthen.
func buildQueries(table string, asyncCommit bool, lockTimeout time.Duration) queries {
	return queries{
		commit: upsert(table, "token, data, expiry", "$1::text, $2::bytea, $3::timestamptz",
			"data = EXCLUDED.data, expiry = EXCLUDED.expiry", asyncCommit),
		// created is set on insert only; a NULL owner keeps an anonymous
		// session out of the partial owner index.
		commitOwned: upsert(table, "token, data, expiry, owner, device, created, last_seen",
			"$1::text, $2::bytea, $3::timestamptz, $4::text, $5::text, $6::timestamptz, $6::timestamptz",
			"data = EXCLUDED.data, expiry = EXCLUDED.expiry, owner = EXCLUDED.owner, device = EXCLUDED.device, last_seen = EXCLUDED.last_seen",
			asyncCommit),
		commitMany: upsertMany(table, "token, data, expiry", "$1::text[], $2::bytea[], $3::timestamptz[]",
			"data = EXCLUDED.data, expiry = EXCLUDED.expiry", asyncCommit, lockTimeout),
		commitOwnedMany: upsertMany(table, "token, data, expiry, owner, device, created, last_seen",
			"$1::text[], $2::bytea[], $3::timestamptz[], $4::text[], $5::text[], $6::timestamptz[], $6::timestamptz[]",
			"data = EXCLUDED.data, expiry = EXCLUDED.expiry, owner = EXCLUDED.owner, device = EXCLUDED.device, last_seen = EXCLUDED.last_seen",
			asyncCommit, lockTimeout),
		// A tombstone has no owner: the owner index never holds one.
		ownerRows: fmt.Sprintf(`SELECT token, coalesce(device, ''), created, last_seen, expiry FROM %s
WHERE owner = $1 AND expiry > $2 AND NOT deleted ORDER BY last_seen DESC NULLS LAST, token`, table),
		// Statements that delete several rows lock them first, in token
		// order (COLLATE "C": bytewise, as grouped Commits sort theirs), so
		// that they never wait for one another's rows in a cycle.
		// It counts the live rows it deleted ($3 is now): an expired one
		// was no session any more.
		deleteOwner: fmt.Sprintf(`WITH doomed AS (
  SELECT token, expiry FROM %[1]s WHERE owner = $1 AND token <> $2 ORDER BY token COLLATE "C" FOR UPDATE
), gone AS (
  UPDATE %[1]s AS s SET %[2]s FROM doomed WHERE s.token = doomed.token RETURNING doomed.expiry AS was
)
SELECT count(*) FROM gone WHERE was > $3`, table, tombstone("$3", "$4")),
		deleteOwned: fmt.Sprintf(`WITH doomed AS (
  SELECT token, expiry FROM %[1]s WHERE owner = $1 AND token = $2 FOR UPDATE
), gone AS (
  UPDATE %[1]s AS s SET %[2]s FROM doomed WHERE s.token = doomed.token RETURNING doomed.expiry AS was
)
SELECT count(*) FROM gone WHERE was > $3`, table, tombstone("$3", "$4")),
		unownedRows: fmt.Sprintf(`SELECT token, data FROM %s
WHERE owner IS NULL AND expiry > $1 AND token > $2 AND NOT deleted ORDER BY token LIMIT $3`, table),
		setOwner: fmt.Sprintf(`UPDATE %s SET owner = $2, device = $3,
  created = coalesce(created, $4), last_seen = coalesce(last_seen, $4)
WHERE token = $1 AND owner IS NULL AND data = $5 AND NOT deleted`, table),

		find:     fmt.Sprintf(`SELECT data, expiry FROM %s WHERE token = $1 AND expiry > $2 AND NOT deleted`, table),
		findMany: fmt.Sprintf(`SELECT token, data, expiry FROM %s WHERE token = ANY($1::text[]) AND expiry > $2 AND NOT deleted`, table),
		// A Delete leaves a tombstone, a session or none under the token:
		// its statement is an upsert of one (see tombstone) that leaves an
		// existing tombstone as it is, unwritten.
		delete: fmt.Sprintf(`INSERT INTO %s AS s (token, data, expiry, deleted)
VALUES ($1::text, '\x', $2::timestamptz + $3::bigint * interval '1 microsecond', true)
ON CONFLICT (token) DO UPDATE SET %s WHERE NOT s.deleted`, table, tombstone("$2", "$3")),
		// Grouped, in token order ($1 comes sorted and without repeats),
		// the order every statement of the store that locks several rows
		// follows.
		deleteMany: fmt.Sprintf(`%s
INSERT INTO %s AS s (token, data, expiry, deleted)
SELECT u.token, '\x', $2::timestamptz + $3::bigint * interval '1 microsecond', true
FROM unnest($1::text[]) WITH ORDINALITY AS u(token, n), settings ORDER BY u.n
ON CONFLICT (token) DO UPDATE SET %s WHERE NOT s.deleted`, groupSettings(false, lockTimeout), table, tombstone("$2", "$3")),
		all: fmt.Sprintf(`SELECT token, data FROM %s WHERE expiry > $1 AND NOT deleted`, table),
		// One batch, one statement, one round trip: its implicit transaction
		// takes the table's reaper lock (pg_try_advisory_xact_lock, released
		// when the statement ends), and only if it got it do rows get
		// selected (a one-time filter), locked and deleted. Rows a live
		// request holds are skipped; expiry is checked again at delete time.
		// A NULL limit means no limit. ctid = ANY(ARRAY(...)) deletes by
		// tuple id (a TID scan) instead of probing the primary key per row.
		// $5 is where the previous batch of the run stopped: starting the
		// index scan there skips the dead entries earlier batches left at
		// the low end of the expiry index until VACUUM removes them, which
		// would otherwise make every batch slower than the one before.
		deleteExpired: fmt.Sprintf(`WITH lock AS MATERIALIZED (
  SELECT pg_try_advisory_xact_lock($3::int4, ($4::regclass::oid::bigint - 2147483648)::int4) AS got
), doomed AS (
  DELETE FROM %[1]s
  WHERE ctid = ANY(ARRAY(
    SELECT ctid FROM %[1]s
    WHERE (SELECT got FROM lock) AND expiry >= $5 AND expiry <= $1
    ORDER BY expiry LIMIT $2
    FOR UPDATE SKIP LOCKED))
  AND expiry <= $1
  RETURNING expiry
)
SELECT (SELECT got FROM lock), (SELECT count(*) FROM doomed), (SELECT max(expiry) FROM doomed)`, table),
	}
}
