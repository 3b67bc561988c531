package store

import (
	"strconv"
)

// gobOwnerScan reads the owner and device entries of a session encoded by
// scs.GobCodec without decoding it: it walks the gob stream's structure
// (a struct of Deadline and a map[string]interface{} of Values), skipping
// each value by its length, and reads only the two entries it needs. That
// is what makes GobOwner cheap enough to run on every Commit (a full
// gob decode compiles the stream's type definitions every time).
//
// It answers only when the owner value has one of gob's predefined integer
// or string types (what user ids are) and the stream parses exactly to its
// end; ok is false otherwise, and the caller decodes in full.
func gobOwnerScan(data []byte, ownerKey, deviceKey string) (o Owner, ok bool) {
	r := gobStream{data: data}
	if !r.startValue() {
		return Owner{}, false
	}
	field := -1
	for {
		delta, ok := r.uint()
		if !ok {
			return Owner{}, false
		}
		if delta == 0 {
			break // the end of the struct
		}
		field += int(delta)
		switch field {
		case 0: // Deadline: a GobEncoder, sent as length and bytes
			if !r.skipBytes() {
				return Owner{}, false
			}
		case 1: // Values
			var found bool
			if o, found = r.scanMap(ownerKey, deviceKey); !found {
				return Owner{}, false
			}
		default:
			return Owner{}, false
		}
	}
	return o, r.pos == len(r.data) && r.end == len(r.data)
}

// gobStream reads the value of a gob stream across its messages: a message
// is a length and that many bytes; those that start with a negative type id
// define types, and the value's bytes run on from message to message past
// the definitions gob sends when it meets a new type inside an interface.
type gobStream struct {
	data     []byte
	pos, end int // the read position and the end of the current message
}

// next moves to the next message.
func (r *gobStream) next() bool {
	r.pos = r.end
	n, w, ok := gobUint(r.data[r.pos:])
	if !ok || n > uint64(len(r.data)-r.pos-w) {
		return false
	}
	r.pos += w
	r.end = r.pos + int(n)
	return true
}

// typeID reads a type id, skipping the type definitions in its way (each
// runs to the end of its message): negative ids define, positive ones
// name the type of the value that follows.
func (r *gobStream) typeID() (int64, bool) {
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
		if id == 0 || !r.next() {
			return 0, false
		}
	}
}

// startValue skips the leading type definitions to the top-level value.
func (r *gobStream) startValue() bool {
	if !r.next() {
		return false
	}
	_, ok := r.typeID()
	return ok
}

func (r *gobStream) uint() (uint64, bool) {
	v, w, ok := gobUint(r.data[r.pos:r.end])
	r.pos += w
	return v, ok
}

func (r *gobStream) int() (int64, bool) {
	u, ok := r.uint()
	if u&1 != 0 {
		return ^int64(u >> 1), ok
	}
	return int64(u >> 1), ok
}

// bytes reads a length and that many bytes.
func (r *gobStream) bytes() ([]byte, bool) {
	n, ok := r.uint()
	if !ok || n > uint64(r.end-r.pos) {
		return nil, false
	}
	b := r.data[r.pos : r.pos+int(n)]
	r.pos += int(n)
	return b, true
}

func (r *gobStream) skipBytes() bool {
	_, ok := r.bytes()
	return ok
}

// scanMap reads a map[string]interface{}, keeping the owner and device
// entries.
func (r *gobStream) scanMap(ownerKey, deviceKey string) (o Owner, ok bool) {
	count, ok := r.uint()
	if !ok {
		return Owner{}, false
	}
	for range count {
		key, ok := r.bytes()
		if !ok {
			return Owner{}, false
		}
		name, ok := r.bytes()
		if !ok {
			return Owner{}, false
		}
		if len(name) == 0 {
			continue // a nil interface value
		}
		id, ok := r.typeID()
		if !ok {
			return Owner{}, false
		}
		value, ok := r.bytes()
		if !ok {
			return Owner{}, false
		}
		switch string(key) {
		case ownerKey:
			if o.ID, ok = gobBasicString(string(name), id, value); !ok {
				return Owner{}, false
			}
		case deviceKey:
			if deviceKey != "" && string(name) == "string" {
				o.Device, _ = gobBasicString("string", id, value)
			}
		}
	}
	if o.ID == "" {
		o.Device = ""
	}
	return o, true
}

// gob's predefined type ids for the kinds an owner ID can have.
const (
	gobIntID    = 2
	gobUintID   = 3
	gobStringID = 6
)

// gobBasicString formats a singleton value (a zero field number, then the
// value) of a predefined integer or string type the way ownerString does.
func gobBasicString(name string, id int64, value []byte) (string, bool) {
	if len(value) < 2 || value[0] != 0 {
		return "", false
	}
	r := gobStream{data: value, pos: 1, end: len(value)}
	switch {
	case id == gobIntID && (name == "int" || name == "int64" || name == "int32" || name == "int16" || name == "int8"):
		v, ok := r.int()
		return strconv.FormatInt(v, 10), ok && r.pos == r.end
	case id == gobUintID && (name == "uint" || name == "uint64" || name == "uint32" || name == "uint16" || name == "uint8"):
		v, ok := r.uint()
		return strconv.FormatUint(v, 10), ok && r.pos == r.end
	case id == gobStringID && name == "string":
		b, ok := r.bytes()
		return string(b), ok && r.pos == r.end
	}
	return "", false
}

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
