-- Logout is final: a deleted session's row stays, marked deleted, its data
-- emptied, until its expiry (the later of the session's own and the delete,
-- plus a grace) has passed and the reaper removes it with the expired rows.
-- Meanwhile every Commit of its token is refused, on every instance. The
-- column has a constant default, so adding it rewrites nothing and every
-- existing session stays valid.

-- +goose Up
ALTER TABLE sessions ADD COLUMN IF NOT EXISTS deleted BOOLEAN NOT NULL DEFAULT false;

-- +goose Down
DELETE FROM sessions WHERE deleted;
ALTER TABLE sessions DROP COLUMN IF EXISTS deleted;
