// Package dsn tells a PostgreSQL connection string from a SQLite file path,
// for the commands and apps that take either in one flag, and names a
// PostgreSQL database for messages without its password.
package dsn

import (
	"fmt"
	"net/url"
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

// IsPostgres reports whether s is a PostgreSQL connection string: a
// postgres:// or postgresql:// URL, or libpq keyword/value settings such as
// "host=db dbname=app", where any one of the space-separated settings
// names a keyword of libpq or pgx. Anything else is taken for a file path.
func IsPostgres(s string) bool {
	if IsPostgresURL(s) {
		return true
	}
	for _, field := range strings.Fields(s) {
		if key, _, ok := strings.Cut(field, "="); ok && keywords[key] {
			return true
		}
	}
	return false
}

// IsPostgresURL reports whether s is a postgres:// or postgresql:// URL.
func IsPostgresURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// Describe names the PostgreSQL database of connection string s for
// messages and logs, never with its password: "PostgreSQL at " and the
// URL redacted (its password and any password or sslpassword parameter
// written as "xxxxx"), or for keyword/value settings the user, host, port and
// database they resolve to.
func Describe(s string) string {
	if u, err := url.Parse(s); err == nil && IsPostgresURL(s) {
		return "PostgreSQL at " + Redact(u.Redacted(), s)
	}
	cfg, err := pgconn.ParseConfig(s)
	if err != nil {
		return "PostgreSQL (unparsable connection string)"
	}
	return fmt.Sprintf("PostgreSQL at %s@%s:%d/%s", cfg.User, cfg.Host, cfg.Port, cfg.Database)
}
