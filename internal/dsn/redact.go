package dsn

import (
	"cmp"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// redacted stands in for a secret in messages, as url.URL.Redacted writes.
const redacted = "xxxxx"

var (
	// keywordSecret is where the value of a password or sslpassword setting
	// of a keyword/value string starts: after any separator (a space, a
	// closing quote, a ";"), spaces allowed around "=", the keyword in any
	// case.
	keywordSecret = regexp.MustCompile(`(?i)(?:^|[^a-z0-9_])(?:(?:ssl)?password|pwd)[\s\v]*=[\s\v]*`)
	// nextSetting is the start of the setting after a value: a space, a
	// keyword, "=". Words before it that are no setting belong to the value
	// (an unquoted space in a password).
	nextSetting = regexp.MustCompile(`[\s\v]+[A-Za-z_][A-Za-z0-9_]*[\s\v]*=`)
	// looseUserinfo is a user:password@ of no URL (a scheme misspelt or
	// missing, as Check refuses them): at the start, after spaces, the
	// password (not starting with "/", as a URL's "//" does) running to
	// the first "@"; or after a "/", to the first "@" or space.
	looseUserinfo = regexp.MustCompile(`^[\s\v]*[^@/\s:]*:([^@/][^@]*)@|/[^@/\s:]*:([^@\s]*)@`)
	// urlScheme is the scheme:// of a URL, anywhere in the string (a
	// leading space, a jdbc: prefix).
	urlScheme = regexp.MustCompile(`[a-zA-Z][a-zA-Z0-9+.-]*://`)
)

// Redact returns msg, a message that may quote connection string s or
// parts of it (a driver's error, say), with every password of s in it
// replaced by "xxxxx": the URL's user password and password or sslpassword
// query parameters, and the password and sslpassword settings of
// keyword/value strings, each as written and as decoded, whole and in the
// pieces a parser that misread it may quote (the words of a password with
// an unquoted space, say). A secret is replaced where it stands on its
// own, not inside a longer word: a password "r" leaves "configure" as it
// is. It needs no help from s being valid, so it is safe for the errors of
// strings that did not parse; it may hide more than the password where s
// is ambiguous.
func Redact(msg, s string) string {
	return redactSecrets(msg, secrets(s))
}

// redactSecrets replaces each of found (longest first) in msg where it
// stands on its own, in one pass: where several start at one place the
// longest is replaced, and no "x" put in is read again.
func redactSecrets(msg string, found []string) string {
	if len(found) == 0 {
		return msg
	}
	// Every place each secret stands on its own, found with strings.Index
	// (a scan of msg per secret: a command line of thousands of distinct
	// passwords costs about a second), then the longest at each place,
	// leftmost first, none overlapping another.
	type span struct{ start, end int }
	var spans []span
	for _, secret := range found {
		for from := 0; from <= len(msg)-len(secret); {
			i := strings.Index(msg[from:], secret)
			if i < 0 {
				break
			}
			i += from
			if standsAlone(msg, i, i+len(secret)) {
				spans = append(spans, span{i, i + len(secret)})
			}
			from = i + 1
		}
	}
	if len(spans) == 0 {
		return msg
	}
	slices.SortFunc(spans, func(a, b span) int { return cmp.Or(a.start-b.start, b.end-a.end) })
	var b strings.Builder
	at := 0
	for _, sp := range spans {
		if sp.start < at {
			continue
		}
		b.WriteString(msg[at:sp.start])
		b.WriteString(redacted)
		at = sp.end
	}
	b.WriteString(msg[at:])
	return b.String()
}

// standsAlone reports whether msg[start:end] is no part of a longer word:
// a word byte (a letter, a digit, "_", or any byte of a non-ASCII
// character) at either end of it does not touch another.
func standsAlone(msg string, start, end int) bool {
	return (start == 0 || !isWordByte(msg[start-1]) || !isWordByte(msg[start])) &&
		(end == len(msg) || !isWordByte(msg[end]) || !isWordByte(msg[end-1]))
}

func isWordByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

// secrets lists the passwords of s as written and as decoded, longest
// first so that a secret that contains another is replaced whole.
func secrets(s string) []string {
	var found []string
	add := func(raw string, decode func(string) (string, error), split string) {
		if raw == "" {
			return
		}
		forms := []string{raw}
		if dec, err := decode(raw); err == nil && dec != "" && dec != raw {
			forms = append(forms, dec)
		}
		for _, piece := range strings.FieldsFunc(raw, func(r rune) bool { return strings.ContainsRune(split, r) }) {
			if piece != raw {
				forms = append(forms, piece)
			}
		}
		for _, f := range forms {
			// pgx quotes some pieces with %q: escaped quotes, \x01.
			found = append(found, f)
			if q := strconv.Quote(f); q[1:len(q)-1] != f {
				found = append(found, q[1:len(q)-1])
			}
		}
	}
	for _, v := range keywordValues(s) {
		// pgx quotes the words of an unquoted value with a space, never
		// those of a quoted one.
		split := " \t\r\n\f\v"
		if v.quoted {
			split = ""
		}
		if !v.quoted {
			split += ";,&"
		}
		add(strings.TrimRight(v.text, ";,&"), unescapeKeywordValue, split)
	}
	for _, v := range userPasswords(s) {
		add(v, url.PathUnescape, "@/")
	}
	for _, m := range looseUserinfo.FindAllStringSubmatch(s, -1) {
		add(m[1]+m[2], url.PathUnescape, "@/")
	}
	for _, v := range queryPasswords(s) {
		add(v, url.QueryUnescape, "&")
	}
	return longestFirst(found)
}

// longestFirst sorts secrets longest first, so that a secret that contains
// another is replaced whole, and drops repeats.
func longestFirst(secrets []string) []string {
	slices.SortFunc(secrets, func(a, b string) int { return cmp.Or(len(b)-len(a), strings.Compare(a, b)) })
	return slices.Compact(secrets)
}

// keywordValue is the value of a setting of a keyword/value string.
type keywordValue struct {
	text   string
	quoted bool
}

// keywordValues returns the values of s's password and sslpassword
// settings: a quoted value with its quotes' content (to the end of s if
// unterminated), an unquoted one to the next setting. A "password=" inside
// a value read already is part of that value, not a setting of its own, so
// the values never overlap and reading them all costs one pass over s;
// the settings after which a value may end are found once.
func keywordValues(s string) []keywordValue {
	var values []keywordValue
	next := nextSetting.FindAllStringIndex(s, -1)
	read := 0 // where the last value read ends
	for _, loc := range keywordSecret.FindAllStringIndex(s, -1) {
		if loc[0] < read {
			continue
		}
		rest := s[loc[1]:]
		if strings.HasPrefix(rest, "'") {
			end := len(rest)
			for i := 1; i < len(rest); i++ {
				if rest[i] == '\\' {
					i++
				} else if rest[i] == '\'' {
					end = i
					break
				}
			}
			values = append(values, keywordValue{text: rest[1:end], quoted: true})
			read = loc[1] + end
			continue
		}
		// The first setting at or after the value's start. None of next
		// can start before it and end after it: the value starts after an
		// "=" and the spaces that follow it, where no setting can be under
		// way (a setting is spaces, a keyword, spaces, "=").
		if i, _ := slices.BinarySearchFunc(next, loc[1], func(m []int, at int) int { return m[0] - at }); i < len(next) {
			rest = s[loc[1]:next[i][0]]
		}
		values = append(values, keywordValue{text: strings.TrimSpace(rest)})
		read = loc[1] + len(rest)
	}
	return values
}

func unescapeKeywordValue(v string) (string, error) {
	return unescapeKeyword(v), nil
}

// userPasswords returns the password of the user:password@ of s's URL as
// each parser may read it: up to the first "@" before any "/" (as pgx
// does), up to the first "@" at all, and up to the last "@" before the
// path (as net/url does) or before the query.
func userPasswords(s string) []string {
	loc := urlScheme.FindStringIndex(s)
	if loc == nil {
		return nil
	}
	rest := s[loc[1]:]
	query := len(rest)
	if i := strings.IndexAny(rest, "?#"); i >= 0 {
		query = i
	}
	authority := query
	if i := strings.IndexByte(rest[:query], '/'); i >= 0 {
		authority = i
	}
	var values []string
	if userinfo, _ := splitUserinfo(s); userinfo != "" {
		if _, password, ok := strings.Cut(userinfo, ":"); ok {
			values = append(values, password)
		}
	}
	for _, end := range []int{strings.IndexByte(rest, '@'), strings.LastIndexByte(rest[:authority], '@'), strings.LastIndexByte(rest[:query], '@')} {
		if end < 0 {
			continue
		}
		if _, password, ok := strings.Cut(rest[:end], ":"); ok {
			values = append(values, password)
		}
	}
	return values
}

// queryPasswords returns the password and sslpassword query parameters of
// s's URL, keys decoded and in any case, each value with the pieces
// without "=" that follow it (an unescaped "&" in a password).
func queryPasswords(s string) []string {
	query, ok := urlQuery(s)
	if !ok {
		return nil
	}
	var values []string
	pieces := strings.Split(query, "&")
	for i, piece := range pieces {
		key, value, ok := strings.Cut(piece, "=")
		if !ok || !isSecretKey(key) {
			continue
		}
		end := i + 1
		for end < len(pieces) && !strings.Contains(pieces[end], "=") {
			end++
		}
		values = append(values, strings.Join(append([]string{value}, pieces[i+1:end]...), "&"))
	}
	return values
}

// isSecretKey reports whether URL query key, decoded, names a password.
func isSecretKey(key string) bool {
	if dec, err := url.QueryUnescape(key); err == nil {
		key = dec
	}
	key = strings.ToLower(key)
	return key == "password" || key == "sslpassword"
}
