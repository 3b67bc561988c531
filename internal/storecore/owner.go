package storecore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sessionsql/sessionsql/store"
)

// OwnedRow is one of an owner's live sessions as the database holds it.
type OwnedRow struct {
	Token             string
	Device            string
	Created, LastSeen time.Time // zero when the row predates owner tracking
	Expiry            time.Time
}

// OwnerDriver is the SQL of the owner index: the columns and index of
// migration 2.
type OwnerDriver interface {
	// CommitOwned upserts data and expiry with the session's owner and
	// device (NULL when empty), sets last_seen to now, and created to now
	// for a new row.
	CommitOwned(ctx context.Context, token string, data []byte, expiry time.Time, owner store.Owner, now time.Time) error
	// OwnerRows returns owner's rows whose expiry is after now, most
	// recently seen first.
	OwnerRows(ctx context.Context, owner string, now time.Time) ([]OwnedRow, error)
	// DeleteOwner deletes owner's rows, except the one stored under keep
	// ("" keeps none), and reports how many of them were live: whose
	// expiry was after now. Expired rows go too, uncounted.
	DeleteOwner(ctx context.Context, owner, keep string, now time.Time) (int64, error)
	// DeleteOwned deletes token's row if it belongs to owner and reports
	// whether it was live (1) or not (0): an expired row goes too,
	// uncounted, as in DeleteOwner.
	DeleteOwned(ctx context.Context, owner, token string, now time.Time) (int64, error)
	// UnownedRows returns up to limit live rows without an owner whose
	// token sorts after after, in token order.
	UnownedRows(ctx context.Context, now time.Time, after string, limit int) ([]UnownedRow, error)
	// SetOwner records owner on token's row if it still has no owner and
	// still holds data, with created and last_seen set to now where empty.
	SetOwner(ctx context.Context, token string, data []byte, owner store.Owner, now time.Time) (int64, error)
}

// UnownedRow is a live session the owner index does not know yet.
type UnownedRow struct {
	Token string
	Data  []byte
}

// MaxOwnerLength bounds an owner ID in bytes; MaxDeviceLength a device
// description, which is cut to fit.
const (
	MaxOwnerLength  = 256
	MaxDeviceLength = 200
)

// errNoOwner is what the owner methods report on a store without an
// OwnerFunc.
var errNoOwner = errors.New("the owner index is off: set Config.Owner (store.GobOwner(\"user_id\", \"\") for scs's default codec) and apply the migrations")

// owned runs the OwnerFunc on data and checks what it returned.
func (c *Core) owned(token string, data []byte) (store.Owner, error) {
	o, err := c.owner(token, data)
	if err != nil {
		return store.Owner{}, fmt.Errorf("owner: %w", err)
	}
	if o.ID == "" {
		return store.Owner{}, nil // an anonymous session records nothing
	}
	if !store.ValidToken(o.ID) || len(o.ID) > MaxOwnerLength {
		return store.Owner{}, fmt.Errorf("owner: the owner ID must be 1 to %d bytes of UTF-8 without NUL", MaxOwnerLength)
	}
	o.Device = cleanDevice(o.Device)
	return o, nil
}

// cleanDevice makes a device description safe to store: valid UTF-8, no
// NUL, at most MaxDeviceLength bytes (cut at a character boundary).
func cleanDevice(s string) string {
	s = strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
	if len(s) <= MaxDeviceLength {
		return s
	}
	cut := MaxDeviceLength
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

// ownerReady is Ready for the owner methods: it also refuses a store
// without an OwnerFunc and an empty owner.
func (c *Core) ownerReady(ctx context.Context, owner string) error {
	if err := c.Ready(ctx); err != nil {
		return err
	}
	if c.owner == nil || c.ownerDriver == nil {
		return errNoOwner
	}
	if owner == "" {
		return errors.New("the owner ID is empty")
	}
	return nil
}

// OwnerSessions is store.OwnerStore's OwnerSessions for every backend.
func (c *Core) OwnerSessions(ctx context.Context, owner string) ([]store.SessionInfo, error) {
	if err := c.ownerReady(ctx, owner); err != nil {
		return nil, c.Fail(ctx, "owner sessions", err)
	}
	rows, err := c.ownerDriver.OwnerRows(ctx, owner, c.Now())
	if err != nil {
		return nil, c.fail(ctx, "owner sessions", err)
	}
	infos := make([]store.SessionInfo, 0, len(rows))
	for _, r := range rows {
		infos = append(infos, store.SessionInfo{
			ID: store.SessionID(r.Token), Device: r.Device,
			Created: r.Created, LastSeen: r.LastSeen, Expiry: r.Expiry,
		})
	}
	return infos, nil
}

// RevokeOwner is store.OwnerStore's RevokeOwner for every backend.
func (c *Core) RevokeOwner(ctx context.Context, owner, keep string) (int64, error) {
	if err := c.ownerReady(ctx, owner); err != nil {
		return 0, c.Fail(ctx, "revoke owner", err)
	}
	rows, err := c.ownerDriver.OwnerRows(ctx, owner, time.Time{})
	if err != nil {
		return 0, c.fail(ctx, "revoke owner", err)
	}
	keepToken := ""
	doomed := make([]string, 0, len(rows))
	for _, r := range rows {
		if keep != "" && store.SessionID(r.Token) == keep {
			keepToken = r.Token
		} else {
			doomed = append(doomed, r.Token)
		}
	}
	c.bury(doomed)
	n, err := c.ownerDriver.DeleteOwner(ctx, owner, keepToken, c.Now())
	if err != nil {
		return 0, c.fail(ctx, "revoke owner", err)
	}
	return n, nil
}

// RevokeSession is store.OwnerStore's RevokeSession for every backend.
func (c *Core) RevokeSession(ctx context.Context, owner, id string) (bool, error) {
	if err := c.ownerReady(ctx, owner); err != nil {
		return false, c.Fail(ctx, "revoke session", err)
	}
	row, found, err := c.ownedRow(ctx, owner, id)
	if err != nil || !found {
		return false, c.failIf(ctx, "revoke session", err)
	}
	c.bury([]string{row.Token})
	// An expired row goes too, but it was no session to log out: the
	// answer agrees with OwnerSessions, which never listed it. The
	// driver decides that from the row it deletes, not from the one read
	// above, which a Commit may have renewed since.
	n, err := c.ownerDriver.DeleteOwned(ctx, owner, row.Token, c.Now())
	if err != nil {
		return false, c.fail(ctx, "revoke session", err)
	}
	return n > 0, nil
}

// bury makes Commit refuse tokens for RevokedTTL, before they are
// deleted, so that a request of a revoked device that is still running
// cannot write its session back when it finishes.
func (c *Core) bury(tokens []string) {
	c.revoked.add(tokens, c.Now().Add(RevokedTTL))
	if c.touch != nil {
		for _, tok := range tokens {
			c.touch.forget(tok)
		}
	}
}

// ownedRow finds owner's row of session id among owner's rows (the owner
// index makes that a short list), expired ones included: revoking one is
// harmless, and it deletes the row before the reaper would.
func (c *Core) ownedRow(ctx context.Context, owner, id string) (OwnedRow, bool, error) {
	rows, err := c.ownerDriver.OwnerRows(ctx, owner, time.Time{})
	if err != nil {
		return OwnedRow{}, false, err
	}
	for _, r := range rows {
		if store.SessionID(r.Token) == id {
			return r, true, nil
		}
	}
	return OwnedRow{}, false, nil
}

// failIf is fail for a possibly nil error.
func (c *Core) failIf(ctx context.Context, op string, err error) error {
	if err == nil {
		return nil
	}
	return c.fail(ctx, op, err)
}

// indexBatch is how many sessions IndexOwners reads at a time.
const indexBatch = 500

// IndexOwners is store.OwnerStore's IndexOwners for every backend: it
// reads the live sessions without an owner in batches, runs the OwnerFunc
// on each and records the owners found. A session written again meanwhile
// is left to that write; one whose data the OwnerFunc cannot read is
// skipped (its next Commit reports the error).
func (c *Core) IndexOwners(ctx context.Context) (int64, error) {
	if err := c.Ready(ctx); err != nil {
		return 0, c.Fail(ctx, "index owners", err)
	}
	if c.owner == nil || c.ownerDriver == nil {
		return 0, c.Fail(ctx, "index owners", errNoOwner)
	}
	var indexed int64
	after := ""
	for {
		rows, err := c.ownerDriver.UnownedRows(ctx, c.Now(), after, indexBatch)
		if err != nil {
			return indexed, c.fail(ctx, "index owners", err)
		}
		for _, r := range rows {
			o, err := c.owned(r.Token, r.Data)
			if err != nil || o.ID == "" {
				continue
			}
			n, err := c.ownerDriver.SetOwner(ctx, r.Token, r.Data, o, c.Now())
			if err != nil {
				return indexed, c.fail(ctx, "index owners", err)
			}
			indexed += n
		}
		if len(rows) < indexBatch {
			return indexed, nil
		}
		after = rows[len(rows)-1].Token
	}
}
