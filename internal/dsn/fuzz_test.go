package dsn

import (
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// FuzzCheckAgreesWithPgx: for every string Check accepts and pgx parses,
// Check read the same password pgx did (its tokenizers are pgx's, so its
// refusals rest on what pgx will do), and nothing pgx names in a message
// (user, host, database) holds a password setting. No input panics.
func FuzzCheckAgreesWithPgx(f *testing.F) {
	for _, s := range []string{
		"postgres://app:pw@db/app", "postgres://app:p%40ss@db1:5433,db2/app?sslmode=disable",
		"postgres://app:1?pw#x@db/app?application_name=a#b", "postgres://?host=/tmp&user=a@b&password=pw",
		"host=db password=pw", "host=db password='a b\\' c' dbname=x", "user='app'password=pw host=db",
		"host=db\tpassword = pw\\ x", "host=db options='-c TimeZone=UTC' password=pw",
		"host=db sslrootcert='/ca.pem password=pw'", "PASSWORD=pw host=db", "host=db;password=pw",
		"postgres://app:12/pw@db/app", "password\\v=pw", "host=db password=pw\\",
		"host=db password=a\\\\", "host=db password=a\\\nb", "postgres://app:pa@ss?w=rd@db/app",
		"host=db password= dbname=x", "postgres://app@[::1%25lo]:5432,h2/app?host=/run/u@1",
	} {
		f.Add(s)
	}
	// No password file or variable of the machine's may stand in for the
	// string's own.
	f.Setenv("PGPASSFILE", "/nonexistent")
	f.Setenv("PGPASSWORD", "")
	f.Setenv("PGSERVICEFILE", "/nonexistent")
	f.Fuzz(func(t *testing.T, s string) {
		err := Check(s)
		_ = Redact(s, s)
		_ = Describe(s)
		if err != nil || !IsPostgres(s) {
			return
		}
		cfg, perr := pgconn.ParseConfig(s)
		if perr != nil {
			_ = ParseError(perr, s)
			return
		}
		var ours string
		var kvs []settingKV
		if IsPostgresURL(s) {
			kvs, _ = urlSettings(s)
		} else {
			kvs, _ = keywordSettings(s)
		}
		for _, kv := range kvs {
			if strings.ToLower(kv.key) == "password" {
				ours = kv.value
			}
		}
		if ours != cfg.Password {
			t.Fatalf("Check read password %q from %q, pgx %q", ours, s, cfg.Password)
		}
		for _, v := range []string{cfg.User, cfg.Host, cfg.Database} {
			if namesPassword.MatchString(v) {
				t.Fatalf("pgx reads %q from %q, which names a password, and Check let it through", v, s)
			}
		}
	})
}
