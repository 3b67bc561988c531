package gobwalk

import "bytes"

// Session is a walked session: its deadline's bytes and its entries.
type Session struct {
	Deadline []byte
	Entries  []Entry
}

// Parse walks data (see Walk); the Session refers to data's bytes.
func Parse(data []byte) (Session, bool) {
	deadline, entries, ok := Walk(data, nil)
	return Session{Deadline: deadline, Entries: entries}, ok
}

// Same reports whether data holds the same deadline and the same values as
// s: the same keys, and under each the same type name and the same value
// bytes, in any order (gob writes a map's entries in random order). ok is
// false when data cannot be walked; the caller must then compare decoded
// values. *scratch, if not nil, is reused (and grown) for data's entries.
func (s Session) Same(data []byte, scratch *[]Entry) (same, ok bool) {
	var buf []Entry
	if scratch != nil {
		buf = *scratch
	}
	deadline, entries, ok := Walk(data, buf)
	if scratch != nil {
		*scratch = entries
	}
	if !ok {
		return false, false
	}
	if !bytes.Equal(deadline, s.Deadline) || len(entries) != len(s.Entries) {
		return false, true
	}
	for _, a := range s.Entries {
		found := false
		for _, b := range entries {
			if bytes.Equal(a.Key, b.Key) {
				found = bytes.Equal(a.Type, b.Type) && bytes.Equal(a.Value, b.Value)
				break
			}
		}
		if !found {
			return false, true
		}
	}
	return true, true
}
