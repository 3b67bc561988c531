-- Who a session belongs to, for listing and revoking one user's sessions
-- (stores with Config.Owner set fill these on every Commit). created and
-- last_seen are INTEGER unix milliseconds, like expiry. Every column is
-- nullable with no default, so existing rows keep working as anonymous
-- sessions. The owner index is partial: sessions without an owner never
-- enter it.

-- +goose Up
ALTER TABLE sessions ADD COLUMN owner TEXT;
ALTER TABLE sessions ADD COLUMN device TEXT;
ALTER TABLE sessions ADD COLUMN created INTEGER;
ALTER TABLE sessions ADD COLUMN last_seen INTEGER;
CREATE INDEX IF NOT EXISTS sessions_owner_idx ON sessions (owner) WHERE owner IS NOT NULL;

-- +goose Down
DROP INDEX IF EXISTS sessions_owner_idx;
ALTER TABLE sessions DROP COLUMN last_seen;
ALTER TABLE sessions DROP COLUMN created;
ALTER TABLE sessions DROP COLUMN device;
ALTER TABLE sessions DROP COLUMN owner;
