package store

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
// It is cheap on the paths every request takes. gob writes map keys as
// plain bytes, so data without ownerKey's bytes is anonymous without being
// decoded. And a session whose owner entry (and device entry) are byte for
// byte what they were at the token's last decoded Commit has the same
// owner, so it is not decoded again either; GobOwner remembers that much of
// up to 2^17 recent tokens. Anything else is decoded in full.
func GobOwner(ownerKey, deviceKey string) OwnerFunc {
	full := CodecOwner(scs.GobCodec{}, ownerKey, deviceKey)
	memo := newOwnerMemo()
	key, devKey := []byte(ownerKey), []byte(deviceKey)
	return func(token string, data []byte) (Owner, error) {
		if !bytes.Contains(data, key) {
			memo.forget(token)
			return Owner{}, nil
		}
		if m := memo.get(token); m != nil && m.matches(data, key, devKey) {
			return m.owner, nil
		}
		o, err := full(token, data)
		if err != nil || o.ID == "" {
			memo.forget(token)
			return o, err
		}
		memo.remember(token, o, data, key, devKey)
		return o, nil
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
