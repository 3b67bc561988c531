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
	// "u:pw@db:5432"), or of a URL inside a setting's value.
	userAndPassword = regexp.MustCompile(`(?:^|/)[^@/\s]*:[^@/\s]*@`)
	// leadingUserAndPassword is a user:password@ at the start of a string,
	// after spaces, the password running to the "@" (" u:pw@db",
	// "u:p/w@db", "u:p w@db").
	leadingUserAndPassword = regexp.MustCompile(`^[\s\v]*[^@/\s]*:[^@]*@`)
	// misreadEmpty is a value that begins with another keyword's "=": the
	// setting before it was left empty, so pgx took the next one for its
	// value ("password= dbname=app").
	misreadEmpty = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*)=`)
	// freeText are the settings whose value is any text the server only
	// stores: a user:password@ in it is no misplaced URL.
	freeText = map[string]bool{"application_name": true, "fallback_application_name": true}
	// serverSettings are the run-time settings among keywords, which pgx
	// sends the server as written and the server reads in any case
	// (TimeZone=UTC).
	serverSettings = map[string]bool{"search_path": true, "timezone": true, "statement_timeout": true}
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
//   - a PostgreSQL URL pgx cannot read for a part its message would
//     quote (one that does not percent-decode, a query setting that is no
//     key=value pair, an IPv6 host not in brackets);
//   - a PostgreSQL URL with an "@", as written, in a host, a port, the
//     database or a query setting that is no connection keyword (an
//     unencoded "@", "/" or "?" in the user name or password; a database
//     name with an "@" is written %40);
//   - keyword/value settings pgx cannot read (a value with an unquoted
//     space, an unterminated quote), with a keyword not in lower case, or
//     with an unquoted empty value (pgx reads the next setting as it);
//   - settings, of either form, with a password setting or a
//     user:password@ inside another setting's value (a misplaced quote,
//     settings separated by ";", "," or "&", a URL given as the dbname),
//     or with a ":" in the user name;
//   - anything else that names a password or reads as user:password@: it
//     would be taken for a SQLite file of that name.
//
// Errors read after the name of the flag or variable s came from.
func Check(s string) error {
	switch {
	case IsPostgresURL(s):
		kvs, err := urlSettings(s)
		if err != nil {
			return err
		}
		if err := checkURLAts(kvs); err != nil {
			return err
		}
		return checkSettings(kvs)
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
		return checkSettings(kvs)
	case namesPassword.MatchString(s) || readsAsUserPassword(s):
		return errors.New("names a password but is no PostgreSQL connection string this command reads: give a postgres:// URL, or keyword/value settings with the keywords in lower case (host=db password=...)")
	}
	return nil
}

// checkSettings is Check for the settings of a connection string: of a URL
// or keyword/value settings.
func checkSettings(kvs []settingKV) error {
	// Keys are as written: pgx's are case-sensitive, so a "PASSWORD" would
	// be no password to it but a setting it sends the server.
	for _, kv := range kvs {
		lower := strings.ToLower(kv.key)
		switch {
		case kv.key != lower && keywords[lower] && !serverSettings[lower]:
			return fmt.Errorf("writes the keyword %q in capitals: PostgreSQL's keywords are lower case (%s=...)", kv.key, lower)
		case !kv.inURL && !kv.quoted && startsWithKeyword(kv.value):
			return fmt.Errorf("gives %q no value, so pgx reads the setting after it as its value: write an empty value as %s=''", lower, lower)
		case lower == "password" || lower == "sslpassword":
		case namesPassword.MatchString(kv.value):
			return fmt.Errorf("holds a password setting inside the value of %q: check the quotes, and separate the settings with spaces (host=db password=...), not \";\", \",\" or \"&\"", lower)
		case !freeText[lower] && readsAsUserPassword(kv.value):
			return fmt.Errorf("holds a user:password@ inside the value of %q: pgx reads no connection string inside a setting (libpq may); give the URL on its own, or the password as its own setting", lower)
		case lower == "user" && strings.Contains(kv.value, ":"):
			return errors.New(`has a ":" in its user name: give the password as its own setting (password=...), or in a URL as user:password@`)
		}
	}
	return nil
}

// readsAsUserPassword reports whether s, no Windows path, holds a
// user:password@ (userAndPassword or leadingUserAndPassword).
func readsAsUserPassword(s string) bool {
	return !windowsPath.MatchString(s) && (userAndPassword.MatchString(s) || leadingUserAndPassword.MatchString(s))
}

// startsWithKeyword reports whether value begins with a connection
// keyword's "=" (misreadEmpty).
func startsWithKeyword(value string) bool {
	m := misreadEmpty.FindStringSubmatch(value)
	return m != nil && keywords[m[1]]
}

// checkURLAts refuses an "@" where pgx would have ended the user
// information of a URL whose user name or password holds an unencoded "@"
// or "/", so that a piece of the password is read as the host, a port, the
// database or a query setting: an "@" as written in a host, a port or the
// database (one meant there is written %40), or in a query setting that is
// no connection keyword (user=a@b and host=/run/user@1000 are settings).
func checkURLAts(kvs []settingKV) error {
	for _, kv := range kvs {
		if !strings.Contains(kv.raw, "@") {
			continue
		}
		switch {
		case !kv.inQuery && kv.key != "user" && kv.key != "password":
			return errors.New(`has an "@" in its host or database: percent-encode "@" and "/" in the user name and password as %40 and %2F, and an "@" in a database name as %40`)
		case kv.inQuery && !keywords[kv.key]:
			return errors.New(`has an "@" in a query setting that is no connection keyword: percent-encode "@", "/" and "?" in the user name and password as %40, %2F and %3F`)
		}
	}
	return nil
}
