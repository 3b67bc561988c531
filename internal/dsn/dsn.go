// Package dsn tells a PostgreSQL connection string from a SQLite file path,
// for the commands and apps that take either in one flag.
package dsn

import "strings"

// keywords are libpq's connection keywords (those pgx reads too): a string
// whose first "keyword=" is one of them is a PostgreSQL connection string.
var keywords = map[string]bool{
	"host": true, "hostaddr": true, "port": true, "dbname": true, "user": true,
	"password": true, "passfile": true, "connect_timeout": true, "options": true,
	"application_name": true, "sslmode": true, "sslcert": true, "sslkey": true,
	"sslrootcert": true, "sslpassword": true, "sslsni": true, "service": true,
	"servicefile": true, "target_session_attrs": true, "client_encoding": true,
	"krbsrvname": true, "krbspn": true,
}

// IsPostgres reports whether s is a PostgreSQL connection string: a
// postgres:// or postgresql:// URL, or libpq keyword/value settings such as
// "host=db dbname=app" (the first keyword decides). Anything else is taken
// for a file path.
func IsPostgres(s string) bool {
	if IsPostgresURL(s) {
		return true
	}
	key, _, ok := strings.Cut(strings.TrimLeft(s, " \t\n"), "=")
	return ok && keywords[strings.TrimRight(key, " \t\n")]
}

// IsPostgresURL reports whether s is a postgres:// or postgresql:// URL.
func IsPostgresURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}
