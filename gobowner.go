package sessionsql

import (
	"bytes"
	"fmt"
	"strconv"

	"github.com/alexedwards/scs/v2"
)

// GobOwner is the OwnerFunc for sessions encoded by scs's default codec
// (scs.GobCodec): the owner is the value the app keeps under ownerKey (an
// int, int64 or string user id, say: sm.Put(ctx, "user_id", id)), and the
// device the string under deviceKey, if deviceKey is not empty. A session
// without ownerKey is anonymous.
//
// It is cheap enough for every Commit: data without ownerKey's bytes is
// anonymous at the cost of one byte search (gob writes map keys as plain
// bytes), and otherwise it walks the gob stream's structure and reads just
// the two entries, without decoding the session. Owner values of other
// types, and anything it cannot walk, are decoded in full by CodecOwner.
func GobOwner(ownerKey, deviceKey string) OwnerFunc {
	full := CodecOwner(scs.GobCodec{}, ownerKey, deviceKey)
	key := []byte(ownerKey)
	return func(token string, data []byte) (Owner, error) {
		if !bytes.Contains(data, key) {
			return Owner{}, nil
		}
		if o, ok := gobOwnerScan(data, ownerKey, deviceKey); ok {
			return o, nil
		}
		return full(token, data)
	}
}

// CodecOwner is GobOwner for sessions encoded by codec, decoding every
// session it is given. Owner values of any integer type or string are used
// as they are written in decimal or as text; any other type is formatted
// with fmt.Sprint.
func CodecOwner(codec scs.Codec, ownerKey, deviceKey string) OwnerFunc {
	return func(_ string, data []byte) (Owner, error) {
		_, values, err := codec.Decode(data)
		if err != nil {
			return Owner{}, fmt.Errorf("decode session for its owner: %w", err)
		}
		o := Owner{ID: ownerString(values[ownerKey])}
		if o.ID != "" && deviceKey != "" {
			o.Device, _ = values[deviceKey].(string)
		}
		return o, nil
	}
}

func ownerString(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case int:
		return strconv.Itoa(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case int32:
		return strconv.FormatInt(int64(v), 10)
	case uint64:
		return strconv.FormatUint(v, 10)
	case uint:
		return strconv.FormatUint(uint64(v), 10)
	default:
		return fmt.Sprint(v)
	}
}
