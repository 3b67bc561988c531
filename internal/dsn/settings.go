package dsn

import (
	"errors"
	"strconv"
	"strings"
)

// A setting is one keyword and its value, as written.
type settingKV struct{ key, value string }

// errSettings is why keywordSettings could not read a string: every
// setting is keyword=value, separated by spaces, and a value with spaces
// in it is quoted. It quotes nothing of the string.
var errSettings = errors.New(`is no valid keyword/value string: write each setting as keyword=value, separated by spaces, and quote a value that holds spaces ('like this')`)

const spaces = " \t\n\r\v\f"

// keywordSettings reads keyword/value settings the way pgx (and libpq)
// does, keeping every keyword as written and every value unescaped, or
// fails where pgx would, with errSettings.
func keywordSettings(s string) ([]settingKV, error) {
	var out []settingKV
	s = strings.TrimLeft(s, spaces)
	for len(s) > 0 {
		eq := strings.IndexByte(s, '=')
		if eq < 0 {
			return nil, errSettings
		}
		key := strings.Trim(s[:eq], spaces)
		if key == "" || strings.ContainsAny(key, spaces) {
			return nil, errSettings
		}
		s = strings.TrimLeft(s[eq+1:], spaces)
		var value string
		if strings.HasPrefix(s, "'") {
			end := 1
			for ; end < len(s) && s[end] != '\''; end++ {
				if s[end] == '\\' {
					end++
				}
			}
			if end >= len(s) {
				return nil, errSettings
			}
			value, s = s[1:end], s[end+1:]
		} else {
			end := 0
			for ; end < len(s) && !strings.ContainsRune(spaces, rune(s[end])); end++ {
				if s[end] == '\\' {
					end++
				}
			}
			end = min(end, len(s))
			value, s = s[:end], s[end:]
		}
		out = append(out, settingKV{key, unescapeKeyword(value)})
		s = strings.TrimLeft(s, spaces)
	}
	return out, nil
}

// unescapeKeyword drops the backslash of each escaped character.
func unescapeKeyword(v string) string {
	v, _ = unescapeKeywordValue(v)
	return strings.TrimSuffix(v, `\`)
}

// urlSettings reads a postgres:// URL the way pgx does, as far as telling
// its parts apart: the user information ends at the first "@" before any
// "/"; the hosts run to the first "/" or "?"; the database to the "?"; the
// query is "&"-separated key=value pairs. Keys and values are decoded as
// pgx decodes them (uriDecode) where they decode.
func urlSettings(s string) []settingKV {
	var out []settingKV
	userinfo, p := splitUserinfo(s)
	if userinfo != "" {
		user, password, _ := strings.Cut(userinfo, ":")
		out = append(out, settingKV{"user", decode(user)}, settingKV{"password", decode(password)})
	}
	end := strings.IndexAny(p, "/?")
	if end < 0 {
		end = len(p)
	}
	out = append(out, settingKV{"host", decode(p[:end])})
	p = p[end:]
	if rest, ok := strings.CutPrefix(p, "/"); ok {
		db, query, _ := strings.Cut(rest, "?")
		out = append(out, settingKV{"dbname", decode(db)})
		p = "?" + query
	}
	if query, ok := strings.CutPrefix(p, "?"); ok && query != "" {
		for _, piece := range strings.Split(query, "&") {
			key, value, _ := strings.Cut(piece, "=")
			out = append(out, settingKV{decode(key), decode(value)})
		}
	}
	return out
}

// splitUserinfo splits what follows a URL's scheme:// into the user
// information (up to the first "@" before any "/", as pgx reads it; "" if
// none) and the rest.
func splitUserinfo(s string) (userinfo, rest string) {
	_, p, _ := strings.Cut(s, "://")
	if i := strings.IndexAny(p, "@/"); i >= 0 && p[i] == '@' {
		return p[:i], p[i+1:]
	}
	return "", p
}

// urlQuery is the raw query of a URL as pgx reads it: after the first "?"
// that follows the user information.
func urlQuery(s string) (string, bool) {
	_, rest := splitUserinfo(s)
	_, query, ok := strings.Cut(rest, "?")
	return query, ok
}

// decode percent-decodes a part of a URL as pgx does: spaces at its ends
// dropped, "+" kept; a part pgx would refuse to decode is returned as it
// is (pgx's parse then fails).
func decode(raw string) string {
	v := strings.Trim(raw, " ")
	if strings.Contains(v, " ") {
		return raw
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] != '%' {
			b.WriteByte(v[i])
			continue
		}
		if i+2 >= len(v) {
			return raw
		}
		c, err := strconv.ParseUint(v[i+1:i+3], 16, 8)
		if err != nil || c == 0 {
			return raw
		}
		b.WriteByte(byte(c))
		i += 2
	}
	return b.String()
}
