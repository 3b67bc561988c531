package dsn

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

var (
	// namesPassword is a password setting (or ODBC's pwd) anywhere in a
	// string, in any case, after any separator, the keyword maybe quoted.
	namesPassword = regexp.MustCompile(`(?i)(?:^|[^a-z0-9_])(?:ssl)?(?:password|pwd)['"]?[\s\v]*=`)
	// userAndPassword is the user:password@ of something URL-like whose
	// scheme is misspelt or missing ("postgres:/u:pw@db", "u:pw@db:5432").
	userAndPassword = regexp.MustCompile(`^[^@/]*:[^@]*@`)
)

// Check reports what makes s no connection string or SQLite path the
// commands and apps can use safely, or nil. Its errors never quote s: each
// names what pgx, or SQLite, would make of s that could print a password
// in a later message (as the host, the database, a file name):
//   - a URL of another scheme, or with postgres:// not at the start or not
//     in lower case;
//   - a PostgreSQL URL whose user name or password holds an unencoded "@",
//     "/", "?" or "#" (pgx would take the rest for the host, the database or
//     the query);
//   - keyword/value settings where pgx reads a password setting as part of
//     another value (settings separated by ";", "," or "&" rather than
//     spaces), or with a keyword not in lower case;
//   - anything else that names a password or reads as user:password@: it
//     would be taken for a SQLite file of that name.
//
// Errors read after the name of the flag or variable s came from.
func Check(s string) error {
	switch {
	case IsPostgresURL(s):
		return checkURL(s)
	case strings.Contains(s, "://") && !IsPostgres(s):
		scheme, _, _ := strings.Cut(s, "://")
		return fmt.Errorf("is a %q URL: give a postgres:// or postgresql:// URL (the scheme in lower case, at the start), keyword/value settings (host=... dbname=...) or a SQLite file path", Redact(strings.TrimSpace(scheme), s))
	case IsPostgres(s):
		return checkSettings(s)
	case namesPassword.MatchString(s) || userAndPassword.MatchString(s):
		return errors.New("names a password but is no PostgreSQL connection string this command reads: give a postgres:// URL, or keyword/value settings with the keywords in lower case (host=db password=...)")
	}
	return nil
}

// checkURL is Check for a postgres:// URL.
func checkURL(s string) error {
	_, rest, _ := strings.Cut(s, "://")
	if strings.Contains(rest, "#") {
		return errors.New(`holds a "#": a PostgreSQL URL has no fragment; percent-encode a "#" in the user name or password as %23`)
	}
	path := strings.IndexByte(rest, '/')
	if path < 0 {
		path = len(rest)
	}
	query := strings.IndexByte(rest, '?')
	if query < 0 {
		query = len(rest)
	}
	at := strings.IndexByte(rest, '@')
	switch {
	case strings.Count(rest[:query], "@") > 1,
		at >= 0 && path < at && at < query,
		at >= 0 && query < at && query < path:
		return errors.New(`has an "@" that cannot end the user name and password (a second one, or one after a "/" or "?"): percent-encode "@", "/", "?" and "#" in them as %40, %2F, %3F and %23`)
	}
	return nil
}

// checkSettings is Check for keyword/value settings.
func checkSettings(s string) error {
	for _, m := range setting.FindAllStringSubmatch(s, -1) {
		if key := m[1]; key != strings.ToLower(key) && keywords[strings.ToLower(key)] {
			return fmt.Errorf("writes the keyword %q in capitals: PostgreSQL's keywords are lower case (%s=...)", key, strings.ToLower(key))
		}
	}
	cfg, err := pgconn.ParseConfig(s)
	if err != nil {
		return nil // the caller's own parse reports it (see ParseError)
	}
	values := []string{cfg.Host, cfg.Database, cfg.User}
	for _, fb := range cfg.Fallbacks {
		values = append(values, fb.Host)
	}
	for _, v := range cfg.RuntimeParams {
		values = append(values, v)
	}
	for _, v := range values {
		if namesPassword.MatchString(v) {
			return errors.New(`reads a password setting as part of another setting's value: separate the settings with spaces (host=db password=...), not ";", "," or "&"`)
		}
	}
	return nil
}
