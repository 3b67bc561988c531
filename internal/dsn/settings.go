package dsn

import (
	"errors"
	"strconv"
	"strings"
)

// A settingKV is one setting of a connection string: its keyword as
// written and its value as pgx reads it (unescaped, decoded). Of a URL's
// settings (inURL), raw is the value as written and inQuery tells those of
// its query; of a keyword/value string's, quoted tells a quoted value.
type settingKV struct {
	key, value, raw        string
	quoted, inURL, inQuery bool
}

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
		quoted := false
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
			value, s, quoted = s[1:end], s[end+1:], true
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
		out = append(out, settingKV{key: key, value: unescapeKeyword(value), quoted: quoted})
		s = strings.TrimLeft(s, spaces)
	}
	return out, nil
}

// unescapeKeyword drops the backslash of each escaped byte, and a
// trailing backslash, as pgx does (unescapeKeywordValue).
func unescapeKeyword(v string) string {
	if !strings.Contains(v, `\`) {
		return v
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' {
			i++
			if i == len(v) {
				break
			}
		}
		b.WriteByte(v[i])
	}
	return b.String()
}

// URL errors: pgx would refuse the URL too, and its message would quote
// the part it could not read, which may be a piece of the password. They
// quote nothing of the string.
var (
	errURLDecode = errors.New(`has a part that does not percent-decode: write "%" as %25, and a space inside a part as %20`)
	errURLQuery  = errors.New(`has a query setting that is no key=value pair: separate the settings with "&", and percent-encode "&", "=" and "?" in a password as %26, %3D and %3F`)
	errURLIPv6   = errors.New(`has an IPv6 host that is not written [address] (a "[" with no "]", or something other than ":", "/", "?" or "," after the "]")`)
)

// urlSettings reads a postgres:// URL the way pgx (parseURLSettings) does:
// the user information ends at the first "@" before any "/"; each host
// (an IPv6 one in brackets) runs to a ":", "/", "?" or ","; its port to a
// "/", "?" or ","; the database from the "/" to the "?"; the query is
// "&"-separated key=value pairs. Values are decoded as pgx decodes them
// (uriDecode), keys too, and raw keeps each as written. It fails where pgx
// would fail for a part it then quotes.
func urlSettings(s string) ([]settingKV, error) {
	var out []settingKV
	inQuery := false
	add := func(key, raw string) error {
		value, ok := decode(raw)
		if !ok {
			return errURLDecode
		}
		out = append(out, settingKV{key: key, value: value, raw: raw, inURL: true, inQuery: inQuery})
		return nil
	}
	userinfo, p := splitUserinfo(s)
	if userinfo != "" {
		user, password, _ := strings.Cut(userinfo, ":")
		if err := add("user", user); err != nil {
			return nil, err
		}
		if err := add("password", password); err != nil {
			return nil, err
		}
	}
	var hosts, ports strings.Builder
	for {
		if strings.HasPrefix(p, "[") {
			end := strings.IndexByte(p, ']')
			if end < 0 {
				return nil, errURLIPv6
			}
			hosts.WriteString(p[1:end])
			p = p[end+1:]
			if p != "" && !strings.ContainsAny(p[:1], ":/?,") {
				return nil, errURLIPv6
			}
		} else {
			end := indexAnyOrEnd(p, ":/?,")
			hosts.WriteString(p[:end])
			p = p[end:]
		}
		if rest, ok := strings.CutPrefix(p, ":"); ok {
			end := indexAnyOrEnd(rest, "/?,")
			ports.WriteString(rest[:end])
			p = rest[end:]
		}
		rest, ok := strings.CutPrefix(p, ",")
		if !ok {
			break
		}
		p = rest
		hosts.WriteByte(',')
		ports.WriteByte(',')
	}
	if err := add("host", hosts.String()); err != nil {
		return nil, err
	}
	if err := add("port", ports.String()); err != nil {
		return nil, err
	}
	if rest, ok := strings.CutPrefix(p, "/"); ok {
		db, query, hasQuery := strings.Cut(rest, "?")
		if err := add("dbname", db); err != nil {
			return nil, err
		}
		p = ""
		if hasQuery {
			p = "?" + query
		}
	}
	query, _ := strings.CutPrefix(p, "?")
	inQuery = true
	for query != "" {
		var piece string
		piece, query, _ = strings.Cut(query, "&")
		rawKey, rawValue, ok := strings.Cut(piece, "=")
		if !ok || strings.Contains(rawValue, "=") {
			return nil, errURLQuery
		}
		key, ok := decode(rawKey)
		if !ok {
			return nil, errURLDecode
		}
		if err := add(key, rawValue); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// indexAnyOrEnd is the index of the first of chars in s, or len(s).
func indexAnyOrEnd(s, chars string) int {
	if i := strings.IndexAny(s, chars); i >= 0 {
		return i
	}
	return len(s)
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

// decode percent-decodes a part of a URL as pgx does (uriDecode): spaces
// at its ends dropped, "+" kept; false where pgx would refuse to decode it
// (a "%" without two hex digits, %00, a space inside).
func decode(raw string) (string, bool) {
	v := strings.Trim(raw, " ")
	if strings.Contains(v, " ") {
		return raw, false
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] != '%' {
			b.WriteByte(v[i])
			continue
		}
		if i+2 >= len(v) {
			return raw, false
		}
		c, err := strconv.ParseUint(v[i+1:i+3], 16, 8)
		if err != nil || c == 0 {
			return raw, false
		}
		b.WriteByte(byte(c))
		i += 2
	}
	return b.String(), true
}
