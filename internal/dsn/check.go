package dsn

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

var (
	// namesPassword is a password setting (or ODBC's pwd) anywhere in a
	// string, in any case (PGPASSWORD=, DB_PASSWORD= too), the keyword
	// maybe quoted.
	namesPassword = regexp.MustCompile(`(?i)(?:password|pwd)['"]?[\s\v]*=`)
	// userAndPassword is the user:password@ of something URL-like whose
	// scheme is misspelt or missing ("postgres:/u:pw@db", "//u:pw@db",
	// "u:pw@db:5432").
	userAndPassword = regexp.MustCompile(`(?:^|/)[^@/\s]*:[^@/\s]*@`)
	// windowsPath is the drive of a Windows path, "C:\" or "C:/".
	windowsPath = regexp.MustCompile(`^[A-Za-z]:[\\/]`)
	// schemeName is a URL scheme, safe to quote ("jdbc:postgresql" too).
	schemeName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.:-]*$`)
)

// Check reports what makes s no connection string or SQLite path the
// commands and apps can use safely, or nil. Its errors never quote s: each
// says what pgx, or SQLite, would make of s that could print a password in
// a later message (as the host, the database, a file name, another
// setting's value):
//   - a URL of another scheme, or with postgres:// not at the start or not
//     in lower case;
//   - a PostgreSQL URL whose host or database holds an "@" (an unencoded
//     "@" or "/" in the user name or password);
//   - keyword/value settings pgx cannot read (a value with an unquoted
//     space, an unterminated quote), with a keyword not in lower case, or
//     with a password setting inside another setting's value (a misplaced
//     quote, settings separated by ";", "," or "&");
//   - anything else that names a password or reads as user:password@: it
//     would be taken for a SQLite file of that name.
//
// Errors read after the name of the flag or variable s came from.
func Check(s string) error {
	switch {
	case IsPostgresURL(s):
		return checkSettings(urlSettings(s), true)
	case strings.Contains(s, "://") && !IsPostgres(s):
		const instead = "give a postgres:// or postgresql:// URL (the scheme in lower case, at the start), keyword/value settings (host=... dbname=...) or a SQLite file path"
		scheme, _, _ := strings.Cut(s, "://")
		if scheme = strings.TrimSpace(scheme); !schemeName.MatchString(scheme) || namesPassword.MatchString(scheme) {
			return errors.New("is a URL of another scheme: " + instead)
		}
		return fmt.Errorf("is a %q URL: %s", scheme, instead)
	case IsPostgres(s):
		kvs, err := keywordSettings(s)
		if err != nil {
			return err
		}
		return checkSettings(kvs, false)
	case namesPassword.MatchString(s) || !windowsPath.MatchString(s) && userAndPassword.MatchString(s):
		return errors.New("names a password but is no PostgreSQL connection string this command reads: give a postgres:// URL, or keyword/value settings with the keywords in lower case (host=db password=...)")
	}
	return nil
}

// checkSettings is Check for the settings of a connection string: of a URL
// or keyword/value settings.
func checkSettings(kvs []settingKV, fromURL bool) error {
	// Keys are as written: pgx's are case-sensitive, so a "PASSWORD" would
	// be no password to it but a setting it sends the server.
	for _, kv := range kvs {
		lower := strings.ToLower(kv.key)
		switch {
		case kv.key != lower && keywords[lower]:
			return fmt.Errorf("writes the keyword %q in capitals: PostgreSQL's keywords are lower case (%s=...)", kv.key, lower)
		case lower == "password" || lower == "sslpassword":
		case fromURL && (kv.key == "host" || kv.key == "dbname") && strings.Contains(kv.value, "@"):
			return errors.New(`has an "@" in its host or database: percent-encode "@" and "/" in the user name and password as %40 and %2F`)
		case namesPassword.MatchString(kv.value):
			return fmt.Errorf("holds a password setting inside the value of %q: check the quotes, and separate the settings with spaces (host=db password=...), not \";\", \",\" or \"&\"", lower)
		}
	}
	return nil
}
