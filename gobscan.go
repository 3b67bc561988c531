package sessionsql

import (
	"sync"

	"github.com/sessionsql/sessionsql/internal/gobwalk"
)

// entriesPool recycles the entry slices sessions are walked into (by
// gobOwnerScan and the touch threshold).
var entriesPool = sync.Pool{New: func() any { return new([]gobwalk.Entry) }}

// gobOwnerScan reads the owner and device entries of a session encoded by
// scs.GobCodec without decoding it (see package gobwalk). It answers only
// when the session can be walked and its owner value, if any, has a
// predefined integer or string type (what user ids are); ok is false
// otherwise, and the caller decodes in full.
func gobOwnerScan(data []byte, ownerKey, deviceKey string) (o Owner, ok bool) {
	buf := entriesPool.Get().(*[]gobwalk.Entry)
	defer entriesPool.Put(buf)
	_, entries, ok := gobwalk.Walk(data, *buf)
	*buf = entries
	if !ok {
		return Owner{}, false
	}
	var device string
	for _, e := range entries {
		switch string(e.Key) {
		case ownerKey:
			if len(e.Type) == 0 {
				continue // a nil value: no owner
			}
			if o.ID, ok = e.String(); !ok {
				return Owner{}, false
			}
		case deviceKey:
			if deviceKey != "" && string(e.Type) == "string" {
				if device, ok = e.String(); !ok {
					return Owner{}, false
				}
			}
		}
	}
	if o.ID != "" {
		o.Device = device
	}
	return o, true
}
