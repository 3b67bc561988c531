// Package gobwalk reads sessions encoded by scs.GobCodec without decoding
// them: it walks the gob stream's structure (a struct of Deadline and a
// map[string]interface{} of Values) and returns each map entry's key, type
// name and value bytes, skipping each value by its length. That is many
// times cheaper than a gob decode, which compiles the stream's type
// definitions every time, and it is what the owner index (reading one
// entry) and the touch threshold (comparing two sessions) run on every
// Commit.
//
// Walk answers only when every value in the map has a type it can skip
// safely by its length: one of gob's predefined types (bool, integers,
// floats, []byte, string, complex), a type that encodes itself
// (GobEncoder, BinaryMarshaler or TextMarshaler, such as time.Time), or a
// slice of those ([]string, say). Any other value (a struct, a map, an
// array, a slice of those) may hold interface values of its own, whose
// type definitions gob splits the value around, so Walk reports false and
// callers decode in full. For those flat types, gob's encoding of a value
// is a function of the value, so equal bytes under equal type names mean
// equal values.
package gobwalk

import "strconv"

// Entry is one entry of a session's Values map.
type Entry struct {
	Key  []byte
	Type []byte // the concrete type's registered name; empty for a nil value
	ID   int64  // the type's id in this stream; 0 for a nil value
	// Value is the singleton encoding of the value: a zero field number,
	// then the value (see String).
	Value []byte
}

// Walk returns the Deadline field's bytes (nil when the deadline is zero
// and gob left it out) and the map's entries, appended to entries[:0]. It
// reports false when the stream is not an scs session it can walk (see
// the package comment), or does not parse exactly to its end.
func Walk(data []byte, entries []Entry) (deadline []byte, out []Entry, ok bool) {
	var flat [8]int64
	r := stream{data: data, flat: flat[:0]}
	out = entries[:0]
	if !r.startValue() {
		return nil, out, false
	}
	field := -1
	for {
		delta, ok := r.uint()
		if !ok {
			return nil, out, false
		}
		if delta == 0 {
			break // the end of the struct
		}
		field += int(delta)
		switch field {
		case 0: // Deadline: a GobEncoder, sent as length and bytes
			if deadline, ok = r.bytes(); !ok {
				return nil, out, false
			}
		case 1: // Values
			if out, ok = r.entries(out); !ok {
				return nil, out, false
			}
		default:
			return nil, out, false
		}
	}
	return deadline, out, r.pos == len(r.data) && r.end == len(r.data)
}

// entries reads a map[string]interface{} whose values are all flat.
func (r *stream) entries(out []Entry) ([]Entry, bool) {
	count, ok := r.uint()
	if !ok || count > uint64(len(r.data)) {
		return out, false
	}
	for range count {
		var e Entry
		if e.Key, ok = r.bytes(); !ok {
			return out, false
		}
		if e.Type, ok = r.bytes(); !ok {
			return out, false
		}
		if len(e.Type) > 0 {
			if e.ID, ok = r.typeID(); !ok || !r.skippable(e.ID) {
				return out, false
			}
			if e.Value, ok = r.bytes(); !ok {
				return out, false
			}
		}
		out = append(out, e)
	}
	return out, true
}

// String formats a value of a predefined integer or string type: integers
// in decimal, strings as they are. It reports false for any other type.
func (e Entry) String() (string, bool) {
	if len(e.Value) < 2 || e.Value[0] != 0 {
		return "", false
	}
	r := stream{data: e.Value, pos: 1, end: len(e.Value)}
	name := string(e.Type)
	switch {
	case e.ID == IntID && (name == "int" || name == "int64" || name == "int32" || name == "int16" || name == "int8"):
		v, ok := r.int()
		return strconv.FormatInt(v, 10), ok && r.pos == r.end
	case e.ID == UintID && (name == "uint" || name == "uint64" || name == "uint32" || name == "uint16" || name == "uint8"):
		v, ok := r.uint()
		return strconv.FormatUint(v, 10), ok && r.pos == r.end
	case e.ID == StringID && name == "string":
		b, ok := r.bytes()
		return string(b), ok && r.pos == r.end
	}
	return "", false
}

// gob's predefined type ids: bool 1, int 2, uint 3, float 4, []byte 5,
// string 6, complex 7 (8 is interface, never a concrete type).
const (
	firstBasicID = 1
	IntID        = 2
	UintID       = 3
	StringID     = 6
	lastBasicID  = 7
)

// stream reads the value of a gob stream across its messages: a message
// is a length and that many bytes; those that start with a negative type id
// define types, and the value's bytes run on from message to message past
// the definitions gob sends when it meets a new type inside an interface.
type stream struct {
	data     []byte
	pos, end int // the read position and the end of the current message
	// flat holds the ids the stream defines for types that cannot hold an
	// interface value: those that encode themselves as bytes, and slices of
	// those or of predefined types.
	flat []int64
}

// Fields of gob's wireType: which one a definition sets says what kind of
// type it defines.
const (
	wireSlice           = 1
	wireGobEncoder      = 4
	wireBinaryMarshaler = 5
	wireTextMarshaler   = 6
)

func (r *stream) markFlat(id int64) { r.flat = append(r.flat, id) }

func (r *stream) isFlat(id int64) bool {
	for _, f := range r.flat {
		if f == id {
			return true
		}
	}
	return false
}

// sliceElem reads a sliceType definition, struct{CommonType; Elem typeId}
// with CommonType struct{Name string; Id typeId}, and returns Elem.
func (r *stream) sliceElem() (int64, bool) {
	if d, ok := r.uint(); !ok || d != 1 { // field 0: CommonType
		return 0, false
	}
	for field := -1; ; {
		d, ok := r.uint()
		if !ok {
			return 0, false
		}
		if d == 0 {
			break
		}
		switch field += int(d); field {
		case 0: // Name
			if !r.skipBytes() {
				return 0, false
			}
		case 1: // Id
			if _, ok := r.int(); !ok {
				return 0, false
			}
		default:
			return 0, false
		}
	}
	if d, ok := r.uint(); !ok || d != 1 { // field 1: Elem
		return 0, false
	}
	return r.int()
}

// next moves to the next message.
func (r *stream) next() bool {
	r.pos = r.end
	n, w, ok := readUint(r.data[r.pos:])
	if !ok || n > uint64(len(r.data)-r.pos-w) {
		return false
	}
	r.pos += w
	r.end = r.pos + int(n)
	return true
}

// typeID reads a type id, skipping the type definitions in its way (each
// runs to the end of its message, and its first field number says what
// kind of type it defines): negative ids define, positive ones name the
// type of the value that follows.
func (r *stream) typeID() (int64, bool) {
	for {
		if r.pos == r.end && !r.next() {
			return 0, false
		}
		id, ok := r.int()
		if !ok {
			return 0, false
		}
		if id > 0 {
			return id, true
		}
		delta, ok := r.uint()
		if id == 0 || !ok {
			return 0, false
		}
		switch kind := int(delta) - 1; kind {
		case wireGobEncoder, wireBinaryMarshaler, wireTextMarshaler:
			r.markFlat(-id)
		case wireSlice:
			if elem, ok := r.sliceElem(); ok && r.skippable(elem) {
				r.markFlat(-id)
			}
		}
		if !r.next() {
			return 0, false
		}
	}
}

// skippable reports whether a value of type id can be skipped by its
// length: no type definition can be hiding inside it.
func (r *stream) skippable(id int64) bool {
	return (id >= firstBasicID && id <= lastBasicID) || r.isFlat(id)
}

// startValue skips the leading type definitions to the top-level value.
func (r *stream) startValue() bool {
	if !r.next() {
		return false
	}
	_, ok := r.typeID()
	return ok
}

func (r *stream) uint() (uint64, bool) {
	v, w, ok := readUint(r.data[r.pos:r.end])
	r.pos += w
	return v, ok
}

func (r *stream) int() (int64, bool) {
	u, ok := r.uint()
	if u&1 != 0 {
		return ^int64(u >> 1), ok
	}
	return int64(u >> 1), ok
}

// bytes reads a length and that many bytes.
func (r *stream) bytes() ([]byte, bool) {
	n, ok := r.uint()
	if !ok || n > uint64(r.end-r.pos) {
		return nil, false
	}
	b := r.data[r.pos : r.pos+int(n)]
	r.pos += int(n)
	return b, true
}

func (r *stream) skipBytes() bool {
	_, ok := r.bytes()
	return ok
}

// readUint reads one gob unsigned integer: a byte below 0x80 is the value;
// otherwise it is minus the number of big-endian bytes that follow.
func readUint(b []byte) (v uint64, width int, ok bool) {
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
