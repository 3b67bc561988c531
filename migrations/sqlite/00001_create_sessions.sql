-- The session table. Expiry is INTEGER unix milliseconds: SQLite date
-- functions cannot read the text that modernc.org/sqlite binds for time.Time.
--
-- A table left by scs's own sqlite3store (expiry as a REAL julian day) is
-- adopted: its expiries are converted to unix milliseconds in place, so no
-- live session is lost. Julian days are about 2.5 million; unix milliseconds
-- are above 10^12, so the conversion can never apply twice.

-- +goose Up
CREATE TABLE IF NOT EXISTS sessions (
	token  TEXT PRIMARY KEY,
	data   BLOB NOT NULL,
	expiry INTEGER NOT NULL
);
UPDATE sessions
   SET expiry = CAST(ROUND((expiry - 2440587.5) * 86400000.0) AS INTEGER)
 WHERE expiry < 100000000;
CREATE INDEX IF NOT EXISTS sessions_expiry_idx ON sessions (expiry);

-- +goose Down
DROP TABLE IF EXISTS sessions;
