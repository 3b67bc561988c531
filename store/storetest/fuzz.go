package storetest

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sessionsql/sessionsql"
)

// fuzzMaxData is the MaxDataSize of the store Fuzz drives: small, so that
// sequences reach past it.
const fuzzMaxData = 4096

// fuzzGrace is the DeleteGrace of the store Fuzz drives: a few of its
// clock steps, so that sequences see tombstones both hold and go.
const fuzzGrace = 3 * time.Second

// Fuzz drives one store that newStore builds with the operation sequences
// the fuzzer makes (Commit, Find, Delete, DeleteExpired, All, moving the
// clock) and checks every answer, and the count of refused Commits,
// against a map that does what the contract says, deletes that leave
// tombstones included. Tokens come from a small set that mixes good ones with
// hostile ones (empty, NUL, invalid UTF-8, quotes, over MaxTokenLength, a
// megabyte); data sizes reach past the store's MaxDataSize, which Fuzz
// sets in the Config it passes, with its clock, a DeleteGrace of 3
// seconds and cleanup off. Each sequence starts on an empty table: Fuzz
// moves the clock an hour on and deletes every expired row.
//
//	func FuzzStore(f *testing.F) {
//		storetest.Fuzz(f, func(t testing.TB, cfg sessionsql.Config) *sessionsql.Store {
//			return sessionsql.NewStore(newDriver(t), cfg)
//		})
//	}
func Fuzz(f *testing.F, newStore NewStoreFunc) {
	clock := NewClock(suiteEpoch)
	maxData := fuzzMaxData
	s := newStore(f, sessionsql.Config{Now: clock.Now, CleanupInterval: -1, MaxDataSize: maxData, DeleteGrace: fuzzGrace})
	f.Cleanup(func() { _ = s.Close() })
	for _, seed := range [][]byte{
		{0, 0, 10, 1, 0}, // commit, find
		{0, 1, 200, 5, 2, 5, 1, 1},
		{0, 0, 10, 0, 1, 20, 5, 3, 1, 4, 0},
		{0, 4, 1, 0, 5, 1, 0, 6, 255, 1, 4, 1, 6},
		{0, 2, 3, 2, 2, 3, 1, 2, 5, 9, 3, 0},
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, ops []byte) {
		ctx := t.Context()
		clock.Advance(time.Hour) // past every expiry and tombstone of the last sequence
		if _, err := s.DeleteExpired(ctx, 0); err != nil {
			t.Fatal(err)
		}
		m := &model{rows: map[string]modelRow{}}
		refusedBefore := s.Stats().Refused
		r := &opReader{b: ops}
		for step := 0; !r.done(); step++ {
			now := clock.Now()
			tok := fuzzTokens[int(r.next())%len(fuzzTokens)]
			switch r.next() % 6 {
			case 0: // Commit
				size := int(r.next()) * (maxData/200 + 1)
				switch size / (maxData/200 + 1) {
				case 254:
					size = maxData // exactly at the limit
				case 255:
					size = maxData + 1 // one byte over
				}
				data := bytes.Repeat([]byte{r.next()}, size)
				expiry := now.Add(time.Duration(int(r.next())%8-2) * time.Second)
				err := s.CommitCtx(ctx, tok, data, expiry)
				switch want := m.commit(tok, data, expiry, maxData, now); {
				case want == nil && err != nil:
					t.Fatalf("step %d: Commit(%.20q, %d bytes) = %v, want nil", step, tok, size, err)
				case want != nil && !errors.Is(err, want):
					t.Fatalf("step %d: Commit(%.20q, %d bytes) = %v, want %v", step, tok, size, err, want)
				}
			case 1: // Find
				data, found, err := s.FindCtx(ctx, tok)
				wantData, wantFound := m.find(tok, now)
				if err != nil || found != wantFound || !bytes.Equal(data, wantData) {
					t.Fatalf("step %d: Find(%.20q) = %d bytes, %v, %v; want %d bytes, %v", step, tok, len(data), found, err, len(wantData), wantFound)
				}
			case 2: // Delete
				if err := s.DeleteCtx(ctx, tok); err != nil {
					t.Fatalf("step %d: Delete(%.20q) = %v", step, tok, err)
				}
				m.delete(tok, now)
			case 3: // DeleteExpired
				// No limit, or one at least the number of good tokens: a
				// limit that cuts through the expired rows would leave the
				// store's choice among rows of equal expiry unknowable.
				limit := []int{-1, 0, fuzzGoodTokens, fuzzGoodTokens + 1}[r.next()%4]
				n, err := s.DeleteExpired(ctx, limit)
				if want := m.deleteExpired(now, limit); err != nil || n != want {
					t.Fatalf("step %d: DeleteExpired(%d) = %d, %v; want %d", step, limit, n, err, want)
				}
			case 4: // All
				all, err := s.AllCtx(ctx)
				if err != nil {
					t.Fatal(err)
				}
				want := m.all(now)
				for tok, data := range all {
					if !isFuzzToken(tok) {
						continue // another sequence's session would be a bug caught by Find; ignore others' rows
					}
					if w, ok := want[tok]; !ok || !bytes.Equal(w, data) {
						t.Fatalf("step %d: All has %.20q (%d bytes), want %v", step, tok, len(data), ok)
					}
					delete(want, tok)
				}
				if len(want) != 0 {
					t.Fatalf("step %d: All is missing %d live sessions", step, len(want))
				}
			case 5: // the clock moves
				clock.Advance(time.Duration(r.next()%4) * time.Second)
			}
		}
		if got := s.Stats().Refused - refusedBefore; got != m.refused {
			t.Fatalf("Stats counts %d refused Commits, want %d", got, m.refused)
		}
	})
}

// fuzzTokens are the tokens sequences use: good ones (a quoted SQL
// injection among them) and hostile ones, which Commit must refuse and
// Find must not find.
var fuzzTokens = []string{
	"tok-a", "tok-b", strings.Repeat("x", sessionsql.MaxTokenLength),
	"", "nul\x00byte", "bad\xffutf8", `quote'"; DROP TABLE sessions; --`,
	strings.Repeat("y", sessionsql.MaxTokenLength+1), strings.Repeat("z", 1<<20),
}

// fuzzGoodTokens is how many of fuzzTokens are valid: four.
var fuzzGoodTokens = func() (n int) {
	for _, tok := range fuzzTokens {
		if sessionsql.ValidToken(tok) {
			n++
		}
	}
	return n
}()

func isFuzzToken(tok string) bool {
	for _, t := range fuzzTokens {
		if t == tok {
			return true
		}
	}
	return false
}

// model is what a store should hold.
type model struct {
	rows    map[string]modelRow
	refused int64 // Commits of a tombstone's token
}

type modelRow struct {
	data    []byte
	expiry  time.Time
	deleted bool // a tombstone
}

func (m *model) commit(tok string, data []byte, expiry time.Time, maxData int, now time.Time) error {
	if !sessionsql.ValidToken(tok) {
		return sessionsql.ErrInvalidToken
	}
	if len(data) > maxData {
		return sessionsql.ErrTooLarge
	}
	if m.rows[tok].deleted {
		m.refused++
		return nil
	}
	m.rows[tok] = modelRow{data: data, expiry: expiry.Truncate(time.Millisecond)}
	return nil
}

// delete leaves a tombstone until the later of the row's expiry and now,
// plus the grace; an existing tombstone stays as it is.
func (m *model) delete(tok string, now time.Time) {
	if !sessionsql.ValidToken(tok) {
		return
	}
	row := m.rows[tok]
	if row.deleted {
		return
	}
	until := row.expiry // zero without a row
	if until.Before(now) {
		until = now
	}
	m.rows[tok] = modelRow{expiry: until.Add(fuzzGrace), deleted: true}
}

func (m *model) find(tok string, now time.Time) ([]byte, bool) {
	row, ok := m.rows[tok]
	if !ok || row.deleted || !row.expiry.After(now) {
		return nil, false
	}
	return row.data, true
}

// deleteExpired removes the expired rows (Fuzz's limits never cut
// through them) and counts them.
func (m *model) deleteExpired(now time.Time, limit int) int64 {
	var n int64
	for tok, row := range m.rows {
		if limit > 0 && n >= int64(limit) {
			break
		}
		if !row.expiry.After(now) {
			delete(m.rows, tok)
			n++
		}
	}
	return n
}

func (m *model) all(now time.Time) map[string][]byte {
	out := map[string][]byte{}
	for tok, row := range m.rows {
		if !row.deleted && row.expiry.After(now) {
			out[tok] = row.data
		}
	}
	return out
}

// opReader hands out the bytes of a sequence; past the end it is done.
type opReader struct {
	b   []byte
	pos int
}

func (r *opReader) done() bool { return r.pos >= len(r.b) }

func (r *opReader) next() byte {
	if r.pos >= len(r.b) {
		return 0
	}
	r.pos++
	return r.b[r.pos-1]
}
