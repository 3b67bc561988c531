package dsn

import (
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// redacted stands in for a secret in messages, as url.URL.Redacted writes.
const redacted = "xxxxx"

var (
	// keywordSecret is a password or sslpassword setting of a keyword/value
	// string, as libpq reads one: spaces allowed around "=", the value
	// single-quoted (with backslash escapes) or running to the next space.
	keywordSecret = regexp.MustCompile(`(?:^|\s)(?:password|sslpassword)\s*=\s*(?:'((?:[^'\\]|\\.)*)'|((?:[^\s\\]|\\.)+))`)
	// urlUserinfo is the user:password@ of any scheme://, multi-host
	// PostgreSQL URLs included.
	urlUserinfo = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.-]*://([^@/?#]*)@`)
	// querySecret is a password or sslpassword query parameter of a URL.
	querySecret = regexp.MustCompile(`[?&](?:password|sslpassword)=([^&#]*)`)
	// backslashEscape is one escaped character of a keyword/value setting.
	backslashEscape = regexp.MustCompile(`\\(.)`)
)

// Redact returns msg, a message that may quote connection string s or
// parts of it (a driver's parse error, say), with every password of s in
// it replaced by "xxxxx": the URL's user password and password or
// sslpassword query parameters, and the password and sslpassword settings
// of keyword/value strings, each as written and as decoded. It needs no
// help from s being valid, so it is safe for the errors of strings that
// did not parse.
func Redact(msg, s string) string {
	for _, secret := range secrets(s) {
		msg = strings.ReplaceAll(msg, secret, redacted)
	}
	return msg
}

// secrets lists the passwords of s as written and as decoded, longest
// first so that a secret that contains another is replaced whole.
func secrets(s string) []string {
	var found []string
	add := func(raw string, decode func(string) (string, error)) {
		if raw == "" {
			return
		}
		found = append(found, raw)
		if dec, err := decode(raw); err == nil && dec != "" && dec != raw {
			found = append(found, dec)
		}
	}
	unescape := func(v string) (string, error) { return backslashEscape.ReplaceAllString(v, "$1"), nil }
	for _, m := range keywordSecret.FindAllStringSubmatch(s, -1) {
		add(m[1]+m[2], unescape)
	}
	if m := urlUserinfo.FindStringSubmatch(s); m != nil {
		if _, password, ok := strings.Cut(m[1], ":"); ok {
			add(password, url.PathUnescape)
		}
	}
	for _, m := range querySecret.FindAllStringSubmatch(s, -1) {
		add(m[1], url.QueryUnescape)
	}
	slices.SortFunc(found, func(a, b string) int { return len(b) - len(a) })
	return found
}
