package storetest_test

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sessionsql/sessionsql"
	"github.com/sessionsql/sessionsql/store/storetest"
)

// memory is the smallest sessionsql.Driver there is, owner index and all:
// a map under a mutex. It is here to show that a Driver written outside
// this project's backends, to the Driver's documentation alone, passes the
// conformance suites and the fuzz target.
type memory struct {
	mu   sync.Mutex
	rows map[string]memoryRow
}

type memoryRow struct {
	data              []byte
	expiry            time.Time
	owner, device     string
	created, lastSeen time.Time
	deleted           bool // a tombstone: no session, and no Commit writes over it
}

var _ sessionsql.OwnerDriver = (*memory)(nil)

func newMemory() *memory { return &memory{rows: map[string]memoryRow{}} }

func (m *memory) Find(_ context.Context, token string, now time.Time) ([]byte, time.Time, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.rows[token]
	if !ok || r.deleted || !r.expiry.After(now) {
		return nil, time.Time{}, false, nil
	}
	return bytes.Clone(r.data), r.expiry, true, nil
}

func (m *memory) Commit(_ context.Context, token string, data []byte, expiry time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r := m.rows[token]
	if r.deleted {
		return false, nil
	}
	r.data, r.expiry = bytes.Clone(data), expiry
	m.rows[token] = r
	return true, nil
}

func (m *memory) Delete(_ context.Context, token string, now time.Time, grace time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.bury(token, now, grace)
	return nil
}

// bury turns token's row, if any, into a tombstone that lasts until the
// later of its expiry and now, plus grace; m.mu is held.
func (m *memory) bury(token string, now time.Time, grace time.Duration) {
	r := m.rows[token]
	if r.deleted {
		return
	}
	if r.expiry.Before(now) {
		r.expiry = now
	}
	m.rows[token] = memoryRow{expiry: r.expiry.Add(grace), deleted: true}
}

func (m *memory) All(_ context.Context, now time.Time) (map[string][]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	all := map[string][]byte{}
	for token, r := range m.rows {
		if !r.deleted && r.expiry.After(now) {
			all[token] = bytes.Clone(r.data)
		}
	}
	return all, nil
}

func (m *memory) DeleteExpired(_ context.Context, now time.Time, limit int) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var n int64
	for token, r := range m.rows {
		if limit > 0 && n == int64(limit) {
			break
		}
		if !r.expiry.After(now) {
			delete(m.rows, token)
			n++
		}
	}
	return n, nil
}

func (m *memory) Close() error { return nil }

func (m *memory) CommitOwned(_ context.Context, token string, data []byte, expiry time.Time, o sessionsql.Owner, now time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.rows[token]
	if r.deleted {
		return false, nil
	}
	if !ok {
		r.created = now
	}
	r.data, r.expiry, r.owner, r.device, r.lastSeen = bytes.Clone(data), expiry, o.ID, o.Device, now
	m.rows[token] = r
	return true, nil
}

func (m *memory) OwnerRows(_ context.Context, owner string, now time.Time) ([]sessionsql.OwnedRow, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var rows []sessionsql.OwnedRow
	for token, r := range m.rows {
		if r.owner == owner && r.expiry.After(now) {
			rows = append(rows, sessionsql.OwnedRow{Token: token, Device: r.device, Created: r.created, LastSeen: r.lastSeen, Expiry: r.expiry})
		}
	}
	slices.SortFunc(rows, func(a, b sessionsql.OwnedRow) int {
		if c := b.LastSeen.Compare(a.LastSeen); c != 0 {
			return c
		}
		return strings.Compare(a.Token, b.Token)
	})
	return rows, nil
}

func (m *memory) DeleteOwner(_ context.Context, owner, keep string, now time.Time, grace time.Duration) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var live int64
	for token, r := range m.rows {
		if r.owner == owner && token != keep {
			m.bury(token, now, grace)
			if r.expiry.After(now) {
				live++
			}
		}
	}
	return live, nil
}

func (m *memory) DeleteOwned(_ context.Context, owner, token string, now time.Time, grace time.Duration) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.rows[token]
	if !ok || r.owner != owner {
		return 0, nil
	}
	m.bury(token, now, grace)
	if r.expiry.After(now) {
		return 1, nil
	}
	return 0, nil
}

func (m *memory) UnownedRows(_ context.Context, now time.Time, after string, limit int) ([]sessionsql.UnownedRow, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var rows []sessionsql.UnownedRow
	for token, r := range m.rows {
		if r.owner == "" && !r.deleted && r.expiry.After(now) && token > after {
			rows = append(rows, sessionsql.UnownedRow{Token: token, Data: bytes.Clone(r.data)})
		}
	}
	slices.SortFunc(rows, func(a, b sessionsql.UnownedRow) int { return strings.Compare(a.Token, b.Token) })
	return rows[:min(len(rows), limit)], nil
}

func (m *memory) SetOwner(_ context.Context, token string, data []byte, o sessionsql.Owner, now time.Time) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.rows[token]
	if !ok || r.deleted || r.owner != "" || !bytes.Equal(r.data, data) {
		return 0, nil
	}
	r.owner, r.device = o.ID, o.Device
	if r.created.IsZero() {
		r.created = now
	}
	if r.lastSeen.IsZero() {
		r.lastSeen = now
	}
	m.rows[token] = r
	return 1, nil
}

func newMemoryStore(_ testing.TB, cfg sessionsql.Config) *sessionsql.Store {
	return sessionsql.NewStore(newMemory(), cfg)
}

func TestMemoryDriver(t *testing.T)      { storetest.Run(t, newMemoryStore) }
func TestMemoryDriverOwner(t *testing.T) { storetest.RunOwner(t, newMemoryStore) }
func FuzzMemoryDriver(f *testing.F)      { storetest.Fuzz(f, newMemoryStore) }

func TestMemoryDriverIndexOwners(t *testing.T) {
	storetest.RunIndexOwners(t, func(_ testing.TB, plainCfg, ownedCfg sessionsql.Config) (*sessionsql.Store, *sessionsql.Store) {
		m := newMemory()
		return sessionsql.NewStore(m, plainCfg), sessionsql.NewStore(m, ownedCfg)
	})
}
