package sessionsql

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// errNoOwner is the owner methods' error on a store without the index.
var errNoOwner = errors.New(`the owner index is off: set Config.Owner (GobOwner("user_id", "") for scs's default codec) and apply the migrations`)

// OwnerSessions lists owner's live sessions, the most recently seen first,
// through the owner index: the ID that revokes each (CurrentSessionID
// tells the current request's), its device, creation, last write and
// expiry. It returns an empty non-nil slice when there are none. Needs
// Config.Owner.
func (s *Store) OwnerSessions(ctx context.Context, owner string) ([]SessionInfo, error) {
	if err := s.ownerReady(ctx, owner); err != nil {
		return nil, s.fail(ctx, "owner sessions", err)
	}
	rows, err := s.owners.OwnerRows(ctx, owner, s.now())
	if err != nil {
		return nil, s.failed(ctx, "owner sessions", err)
	}
	infos := make([]SessionInfo, 0, len(rows))
	for _, r := range rows {
		infos = append(infos, SessionInfo{
			ID: SessionID(r.Token), Device: r.Device,
			Created: r.Created, LastSeen: r.LastSeen, Expiry: r.Expiry,
		})
	}
	return infos, nil
}

// RevokeOwner deletes every session of owner but the one whose ID is keep:
// "log out other devices" with keep = CurrentSessionID, "log out
// everywhere" with keep "" (a keep that names none of owner's sessions
// keeps none). It reports how many live sessions it deleted; the owner's
// expired rows go too, uncounted. Like DeleteCtx's, its deletes are final:
// a request of a revoked device already running cannot write its session
// back. Needs Config.Owner.
func (s *Store) RevokeOwner(ctx context.Context, owner, keep string) (int64, error) {
	if err := s.ownerReady(ctx, owner); err != nil {
		return 0, s.fail(ctx, "revoke owner", err)
	}
	rows, err := s.owners.OwnerRows(ctx, owner, time.Time{})
	if err != nil {
		return 0, s.failed(ctx, "revoke owner", err)
	}
	keepToken := ""
	doomed := make([]string, 0, len(rows))
	for _, r := range rows {
		if keep != "" && SessionID(r.Token) == keep {
			keepToken = r.Token
		} else {
			doomed = append(doomed, r.Token)
		}
	}
	s.forget(doomed)
	n, err := s.owners.DeleteOwner(ctx, owner, keepToken, s.now(), s.grace)
	if err != nil {
		return 0, s.failed(ctx, "revoke owner", err)
	}
	return n, nil
}

// RevokeSession deletes owner's session whose ID is id and reports whether
// the row it deleted was live (an expired row of that ID goes too, and
// reports false); another owner's session is never touched. Its delete is
// final, as RevokeOwner's. Needs Config.Owner.
func (s *Store) RevokeSession(ctx context.Context, owner, id string) (bool, error) {
	if err := s.ownerReady(ctx, owner); err != nil {
		return false, s.fail(ctx, "revoke session", err)
	}
	rows, err := s.owners.OwnerRows(ctx, owner, time.Time{})
	if err != nil {
		return false, s.failed(ctx, "revoke session", err)
	}
	for _, r := range rows {
		if SessionID(r.Token) != id {
			continue
		}
		s.forget([]string{r.Token})
		// Whether it was live is judged by the row deleted, not the one
		// read above, which a Commit may have renewed since.
		n, err := s.owners.DeleteOwned(ctx, owner, r.Token, s.now(), s.grace)
		if err != nil {
			return false, s.failed(ctx, "revoke session", err)
		}
		return n > 0, nil
	}
	return false, nil
}

// indexBatch is how many sessions IndexOwners reads at a time.
const indexBatch = 500

// IndexOwners records the owners of the live sessions written before the
// owner index was on (or by a store without it), so that listings and
// revocations see them at once, and reports how many it indexed. It reads
// the table in batches of 500; a session written again meanwhile is left
// to that write, and one whose data the OwnerFunc cannot read is skipped.
// Run it once after turning Config.Owner on.
func (s *Store) IndexOwners(ctx context.Context) (int64, error) {
	if err := s.ownerReady(ctx, "-"); err != nil {
		return 0, s.fail(ctx, "index owners", err)
	}
	var indexed int64
	after := ""
	for {
		rows, err := s.owners.UnownedRows(ctx, s.now(), after, indexBatch)
		if err != nil {
			return indexed, s.failed(ctx, "index owners", err)
		}
		for _, r := range rows {
			o, err := s.ownerOf(r.Token, r.Data)
			if err != nil || o.ID == "" {
				continue
			}
			n, err := s.owners.SetOwner(ctx, r.Token, r.Data, o, s.now())
			if err != nil {
				return indexed, s.failed(ctx, "index owners", err)
			}
			indexed += n
		}
		if len(rows) < indexBatch {
			return indexed, nil
		}
		after = rows[len(rows)-1].Token
	}
}

// ownerReady is ready for the owner methods: it also refuses a store
// without the owner index and an empty owner.
func (s *Store) ownerReady(ctx context.Context, owner string) error {
	if err := s.ready(ctx); err != nil {
		return err
	}
	switch {
	case s.owner == nil:
		return errNoOwner
	case owner == "":
		return errors.New("the owner ID is empty")
	}
	return nil
}

// forget drops what the touch threshold remembers of tokens about to be
// deleted.
func (s *Store) forget(tokens []string) {
	if s.touch != nil {
		for _, tok := range tokens {
			s.touch.forget(tok)
		}
	}
}

// ownerOf runs the OwnerFunc on data and checks what it returned.
func (s *Store) ownerOf(token string, data []byte) (Owner, error) {
	o, err := s.owner(token, data)
	if err != nil {
		return Owner{}, fmt.Errorf("owner: %w", err)
	}
	if o.ID == "" {
		return Owner{}, nil // an anonymous session records nothing
	}
	if !ValidToken(o.ID) || len(o.ID) > MaxOwnerLength {
		return Owner{}, fmt.Errorf("owner: the owner ID must be 1 to %d bytes of UTF-8 without NUL", MaxOwnerLength)
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
