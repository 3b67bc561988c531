package sqlitestore

import (
	"context"

	"github.com/sessionsql/sessionsql/store"
)

// OwnerSessions lists owner's live sessions, most recently seen first,
// through the owner index: created, last seen, expiry, device and the ID
// that revokes each (sessionsql.CurrentSessionID tells which is the
// current request's). Needs Config.Owner.
func (s *Store) OwnerSessions(ctx context.Context, owner string) ([]store.SessionInfo, error) {
	return s.c.OwnerSessions(ctx, owner)
}

// RevokeOwner deletes every session of owner except the one whose ID is
// keep: "log out other devices" with keep set to
// sessionsql.CurrentSessionID, "log out everywhere" with keep "". It
// returns how many live sessions it deleted (the owner's expired rows,
// which no listing shows, go too, uncounted). Needs Config.Owner.
func (s *Store) RevokeOwner(ctx context.Context, owner, keep string) (int64, error) {
	return s.c.RevokeOwner(ctx, owner, keep)
}

// RevokeSession deletes owner's session whose ID is id and reports whether
// the row it deleted was live (an expired row of that ID goes too,
// reporting false); another owner's session is never touched. Needs Config.Owner.
func (s *Store) RevokeSession(ctx context.Context, owner, id string) (bool, error) {
	return s.c.RevokeSession(ctx, owner, id)
}

// IndexOwners records the owners of live sessions written before the owner
// index was on (or by an instance without it), reading the table in
// batches of 500, and reports how many it indexed. Run it once after
// turning Config.Owner on; until then such sessions get their owner at
// their next write. Needs Config.Owner.
func (s *Store) IndexOwners(ctx context.Context) (int64, error) {
	return s.c.IndexOwners(ctx)
}
