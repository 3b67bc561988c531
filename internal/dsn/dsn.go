// Package dsn tells a PostgreSQL connection string from a SQLite file path,
// for the commands and apps that take either in one flag, refuses strings
// pgx would misread, and keeps passwords out of messages: it names a
// PostgreSQL database without its password and strips it from errors.
package dsn

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// keywords are the connection keywords of libpq and pgx (pgconn's and
// pgxpool's) and the run-time settings most often given with them: a
// string with a "keyword=" among them is a PostgreSQL connection string.
var keywords = map[string]bool{
	"host": true, "hostaddr": true, "port": true, "dbname": true, "database": true,
	"user": true, "password": true, "passfile": true, "connect_timeout": true,
	"options": true, "application_name": true, "fallback_application_name": true,
	"sslmode": true, "sslcert": true, "sslkey": true, "sslrootcert": true,
	"sslpassword": true, "sslsni": true, "sslnegotiation": true, "sslcertmode": true,
	"require_auth": true, "channel_binding": true, "service": true, "servicefile": true,
	"target_session_attrs": true, "client_encoding": true, "krbsrvname": true,
	"krbspn": true, "min_protocol_version": true, "max_protocol_version": true,
	"search_path": true, "timezone": true, "statement_timeout": true,
	"default_query_exec_mode": true, "statement_cache_capacity": true,
	"description_cache_capacity": true, "pool_max_conns": true, "pool_min_conns": true,
	"pool_min_idle_conns": true, "pool_max_conn_lifetime": true,
	"pool_max_conn_lifetime_jitter": true, "pool_max_conn_idle_time": true,
	"pool_health_check_period": true,
}

// setting is one "keyword=" of a keyword/value string, spaces allowed
// around "=" as libpq allows them (a vertical tab among them).
var setting = regexp.MustCompile(`(?:^|[\s\v])([A-Za-z_][A-Za-z0-9_]*)[\s\v]*=`)

// IsPostgres reports whether s is a PostgreSQL connection string: a
// postgres:// or postgresql:// URL, or libpq keyword/value settings such as
// "host=db dbname=app", where any one of the space-separated settings
// names a keyword of libpq or pgx. Anything else is taken for a file path.
func IsPostgres(s string) bool {
	if IsPostgresURL(s) {
		return true
	}
	for _, m := range setting.FindAllStringSubmatch(s, -1) {
		if keywords[m[1]] {
			return true
		}
	}
	return false
}

// IsPostgresURL reports whether s is a postgres:// or postgresql:// URL.
func IsPostgresURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// ParseError is the message of err, pgx's error parsing connection string
// s (pgconn's or pgxpool's ParseConfig), without its copy of s, whose
// password pgx hides only where it can tell where it ends: pgx's reason
// alone, with any piece of a password it quotes hidden too (see Redact).
func ParseError(err error, s string) string {
	var pce *pgconn.ParseConfigError
	if !errors.As(err, &pce) {
		return Redact(err.Error(), s)
	}
	bare := *pce
	bare.ConnString = ""
	return Redact(strings.TrimPrefix(bare.Error(), "cannot parse ``: "), s)
}

// Describe names the PostgreSQL database of connection string s for
// messages and logs, never with its password: "PostgreSQL at
// user@host:port/database" as pgx reads s (the first host of several).
// Give it strings Check accepts: of those, pgx reads no piece of a
// password into the user, the host or the database.
func Describe(s string) string {
	cfg, err := pgconn.ParseConfig(s)
	if err != nil {
		return "PostgreSQL (unparsable connection string)"
	}
	return fmt.Sprintf("PostgreSQL at %s@%s:%d/%s", cfg.User, cfg.Host, cfg.Port, cfg.Database)
}
