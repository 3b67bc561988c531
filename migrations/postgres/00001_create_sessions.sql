-- The session table, identical to the one scs's own PostgreSQL stores
-- document, so an existing scs table is adopted as it is: every statement is
-- IF NOT EXISTS and no live session is touched.

-- +goose Up
CREATE TABLE IF NOT EXISTS sessions (
	token  TEXT PRIMARY KEY,
	data   BYTEA NOT NULL,
	expiry TIMESTAMPTZ NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_expiry_idx ON sessions (expiry);

-- +goose Down
DROP TABLE IF EXISTS sessions;
