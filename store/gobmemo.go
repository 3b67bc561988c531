package store

import (
	"bytes"
	"sync"
)

// ownerMemo remembers, per token, the owner GobOwner last decoded and the
// exact bytes of the map entries it came from, in two generations of at
// most maxMemoTokens tokens each.
type ownerMemo struct {
	mu        sync.Mutex
	cur, prev map[string]*memoEntry
}

const maxMemoTokens = 1 << 16

// memoEntry is what one token's session held at its last decode.
type memoEntry struct {
	owner       Owner
	ownerEntry  []byte // the gob map entry of the owner key: key, type, value
	deviceEntry []byte // the same for the device key; nil when it was absent
}

func newOwnerMemo() *ownerMemo { return &ownerMemo{cur: map[string]*memoEntry{}} }

func (m *ownerMemo) get(token string) *memoEntry {
	m.mu.Lock()
	defer m.mu.Unlock()
	if e, ok := m.cur[token]; ok {
		return e
	}
	return m.prev[token]
}

func (m *ownerMemo) forget(token string) {
	m.mu.Lock()
	delete(m.cur, token)
	delete(m.prev, token)
	m.mu.Unlock()
}

// remember keeps what data's entries for key and devKey are, if both can be
// told apart reliably: each key's bytes occur exactly once in data (so the
// one occurrence is the real map key) and its value has one of gob's
// predefined types.
func (m *ownerMemo) remember(token string, o Owner, data, key, devKey []byte) {
	e := &memoEntry{owner: o, ownerEntry: gobEntry(data, key)}
	if e.ownerEntry == nil {
		m.forget(token)
		return
	}
	if len(devKey) > 0 && bytes.Contains(data, devKey) {
		if e.deviceEntry = gobEntry(data, devKey); e.deviceEntry == nil {
			m.forget(token)
			return
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.cur) >= maxMemoTokens {
		m.prev, m.cur = m.cur, map[string]*memoEntry{}
	}
	m.cur[token] = e
}

// matches reports whether data holds exactly the entries e was made from.
// The owner key's bytes occur once in data and that occurrence starts the
// remembered entry: if data has the owner key at all, it is that entry, so
// the owner is unchanged. (Were the key itself gone and the remembered
// entry's bytes sitting inside some other value, the answer would still be
// an owner this token's session really had at its last decode.) The device
// entry is checked the same way, or must still be absent.
func (e *memoEntry) matches(data, key, devKey []byte) bool {
	if bytes.Count(data, key) != 1 || !bytes.Contains(data, e.ownerEntry) {
		return false
	}
	if len(devKey) == 0 {
		return true
	}
	if e.deviceEntry == nil {
		return !bytes.Contains(data, devKey)
	}
	return bytes.Count(data, devKey) == 1 && bytes.Contains(data, e.deviceEntry)
}

// gobEntry returns a copy of the bytes of key's entry in a gob-encoded
// map[string]interface{}: the key (its length byte and bytes), the
// concrete type's name, its type id and the length-prefixed value. It
// returns nil unless key occurs exactly once in data, is shorter than 128
// bytes, and its value's type is one of gob's predefined ones (so no type
// definition is interleaved).
func gobEntry(data, key []byte) []byte {
	if len(key) == 0 || len(key) > 127 || bytes.Count(data, key) != 1 {
		return nil
	}
	i := bytes.Index(data, key)
	if i < 1 || data[i-1] != byte(len(key)) {
		return nil
	}
	j := i + len(key)
	nameLen, w, ok := gobUint(data[j:])
	if !ok || nameLen == 0 || nameLen > uint64(len(data)-j-w) {
		return nil
	}
	j += w + int(nameLen)
	id, w, ok := gobUint(data[j:])
	if !ok || id&1 != 0 || id>>1 == 0 || id>>1 >= firstGobUserID {
		return nil
	}
	j += w
	valueLen, w, ok := gobUint(data[j:])
	if !ok || valueLen > uint64(len(data)-j-w) {
		return nil
	}
	j += w + int(valueLen)
	return bytes.Clone(data[i-1 : j])
}

// firstGobUserID is the first type id gob gives a type it does not
// predefine.
const firstGobUserID = 64

// gobUint reads one gob unsigned integer: a byte below 0x80 is the value;
// otherwise it is minus the number of big-endian bytes that follow.
func gobUint(b []byte) (v uint64, width int, ok bool) {
	if len(b) == 0 {
		return 0, 0, false
	}
	if b[0] <= 0x7f {
		return uint64(b[0]), 1, true
	}
	n := -int(int8(b[0]))
	if n > 8 || len(b) < 1+n {
		return 0, 0, false
	}
	for _, c := range b[1 : 1+n] {
		v = v<<8 | uint64(c)
	}
	return v, 1 + n, true
}
