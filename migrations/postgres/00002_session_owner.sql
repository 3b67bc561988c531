-- Who a session belongs to, for listing and revoking one user's sessions
-- (stores with Config.Owner set fill these on every Commit). Every column is
-- nullable with no default, so adding them rewrites nothing and existing
-- rows keep working as anonymous sessions. The owner index is partial:
-- sessions without an owner never enter it.

-- +goose Up
ALTER TABLE sessions
	ADD COLUMN IF NOT EXISTS owner     TEXT,
	ADD COLUMN IF NOT EXISTS device    TEXT,
	ADD COLUMN IF NOT EXISTS created   TIMESTAMPTZ,
	ADD COLUMN IF NOT EXISTS last_seen TIMESTAMPTZ;
CREATE INDEX IF NOT EXISTS sessions_owner_idx ON sessions (owner) WHERE owner IS NOT NULL;

-- +goose Down
DROP INDEX IF EXISTS sessions_owner_idx;
ALTER TABLE sessions
	DROP COLUMN IF EXISTS owner,
	DROP COLUMN IF EXISTS device,
	DROP COLUMN IF EXISTS created,
	DROP COLUMN IF EXISTS last_seen;
