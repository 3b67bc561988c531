package dsn

import (
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
)

func TestIsPostgres(t *testing.T) {
	for s, want := range map[string]bool{
		"postgres://app@db/app":                    true,
		"postgresql://app@db/app?sslmode=disable":  true,
		"dbname=app user=postgres sslmode=disable": true,
		"  host=/run/postgresql dbname=app":        true,
		"host = db port=5432":                      true,
		"user=app":                                 true,
		"sessions.db":                              false,
		"webapp.db":                                false,
		"data/a=b.db":                              false,
		"name=value.db":                            false,
		"":                                         false,
		"file:sessions.db?_pragma=busy_timeout(5000)": false,
		"mysql://app@db/app":                          false,
		"./host=odd.db":                               false,
		"database=app host=db":                        true,
		"pool_max_conns=4 host=db dbname=app":         true,
		"sslmode=disable search_path=app host=db":     true,
		"my notes.db":                                 false,
		"dbname = app password = secret":              true,
		"POSTGRES://app@db/app":                       false,
	} {
		if got := IsPostgres(s); got != want {
			t.Errorf("IsPostgres(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestDescribeHidesThePassword(t *testing.T) {
	for s, want := range map[string]string{
		"postgres://app:secret@db:5433/app":                     "PostgreSQL at app@db:5433/app",
		"host=db port=5433 user=app password=secret dbname=app": "PostgreSQL at app@db:5433/app",
		"postgres://%zz": "PostgreSQL (unparsable connection string)",
		"postgres://app@db/app?sslmode=require&password=secret&sslpassword=keyphrase": "PostgreSQL at app@db:5432/app",
		// A password equal to the user name is not given away by x's.
		"postgres://postgres:postgres@db/postgres":              "PostgreSQL at postgres@db:5432/postgres",
		"postgres://app@db1:5433,db2/app?pass%77ord=secret":     "PostgreSQL at app@db1:5433/app",
		"host=/run/postgresql user=app password='a b' dbname=x": "PostgreSQL at app@/run/postgresql:5432/x",
	} {
		if got := Describe(s); got != want {
			t.Errorf("Describe(%q) = %q, want %q", s, got, want)
		}
	}
}

func TestRedact(t *testing.T) {
	for _, c := range []struct{ s, msg, want string }{
		{"host=db password = hunter2 pool_max_conns=many", "cannot parse `host=db password = hunter2 pool_max_conns=many`", "cannot parse `host=db password = xxxxx pool_max_conns=many`"},
		{`host=db password='it\'s a secret' dbname=app`, `bad: it's a secret / 'it\'s a secret'`, `bad: xxxxx / 'xxxxx'`},
		{"password=hunter2", "password=hunter2", "password=xxxxx"},
		{"postgres://app:p%40ss@db1,db2/app", `parse "postgres://app:p%40ss@db1,db2/app": p@ss`, `parse "postgres://app:xxxxx@db1,db2/app": xxxxx`},
		{"mysql://u:pw@db/x", `--db "mysql://u:pw@db/x"`, `--db "mysql://u:xxxxx@db/x"`},
		{"postgres://db/app?password=a%2Bb&sslpassword=k", "a%2Bb a+b k", "xxxxx xxxxx xxxxx"},
		{"host=db dbname=app", "nothing secret: host=db", "nothing secret: host=db"},
		{"sessions.db", "no such file sessions.db", "no such file sessions.db"},
		// The pieces a parser that misread the string quotes.
		{"host=db password=my hunter2 dbname=app", `missing "=" after "hunter2"; my hunter2`, `missing "=" after "xxxxx"; xxxxx`},
		{`host=db password=x\ hunter2 port=1`, `x\ hunter2, x hunter2, hunter2`, "xxxxx, xxxxx, xxxxx"},
		{"host=db password='hunter2 x", "unterminated: hunter2 x", "unterminated: xxxxx"},
		{"PASSWORD=hunter2 SSLPassword = k2", "hunter2 k2", "xxxxx xxxxx"},
		{"postgres://app@db/app?password=xy&hunter2&sslmode=require", `separator in "hunter2", xy&hunter2`, `separator in "xxxxx", xxxxx`},
		{"postgres://app@db/app?password=x", "x, x&y, xxxxx", "xxxxx, xxxxx&y, xxxxx"},
		// A short password is replaced where it stands alone, not in words.
		{"postgres://app:r@db/app?sslmode=bogus", "failed to configure TLS for r@db: r", "failed to configure TLS for xxxxx@db: xxxxx"},
		{"host=db password=e target_session_attrs=bogus", "unknown target_session_attrs value: bogus (e)", "unknown target_session_attrs value: bogus (xxxxx)"},
		{"host=db password=pässword", "bad: pässword, xpässwordy", "bad: xxxxx, xpässwordy"},
		{"postgres://app@db/app?Pass%77ord=hunter2", "hunter2", "xxxxx"},
		{"postgres://app:hunter2@ab@db/app", "lookup ab@db: hunter2@ab", "lookup xxxxx@db: xxxxx"},
		{"postgres://app:12/hunter2@db/app", "database=hunter2@db/app", "database=xxxxx@db/app"},
		{" jdbc:postgresql://app:hunter2@db/app", "hunter2", "xxxxx"},
		{`host=db password=x hun"ter2 port=1`, `missing "=" after "hun\"ter2"`, `missing "=" after "xxxxx"`},
		{"user='app'password=my hunter2 dbname=app", `after "hunter2"`, `after "xxxxx"`},
		{"host=db\vpassword=my hunter2 dbname=app", `after "hunter2"`, `after "xxxxx"`},
	} {
		if got := Redact(c.msg, c.s); got != c.want {
			t.Errorf("Redact(%q, %q) = %q, want %q", c.msg, c.s, got, c.want)
		}
	}
}

func TestCheck(t *testing.T) {
	for s, says := range map[string]string{
		"postgres://app:pw@db/app":                                      "",
		"postgresql://app@db1,db2/app?user=a@b":                         "",
		"postgres://app:p%40ss@db/app":                                  "",
		"postgres:///app?host=/run/postgresql":                          "",
		"host=db password=a://b":                                        "",
		"sessions.db":                                                   "",
		"mysql://app:pw@db/app":                                         `is a "mysql" URL`,
		"POSTGRES://app:pw@db/app":                                      `is a "POSTGRES" URL`,
		" postgres://app:pw@db/app":                                     `is a "postgres" URL`,
		"jdbc:postgresql://db/app?password=pw":                          `is a "jdbc:postgresql" URL`,
		"postgres://app:p@ss@db/app":                                    `an "@" in its host or database`,
		"postgres://app:12/pw@db/app":                                   `an "@" in its host or database`,
		"postgresql://app@db/a@b?sslmode=disable":                       `an "@" in a database name as %40`,
		"postgresql://app@db/a%40b?sslmode=disable":                     "",
		"postgres://app:pw@d%40b/app":                                   "",
		"postgres://app:12#pw@db/app":                                   "",
		"postgres://db/app?user=app&a=b#&password=pw":                   "",
		"postgres://app:1?pw@db/app":                                    "",
		"postgres://app:pw?a@pw2@db/app":                                `an "@" in its host or database`,
		"postgres://db/app?user=app@corp":                               "",
		"host=db;port=1;user=app;password=pw;dbname=app":                "separate the settings with spaces",
		"host=db,password=pw":                                           "separate the settings with spaces",
		"dbname=app&password=pw":                                        "separate the settings with spaces",
		"PASSWORD=pw host=db":                                           `the keyword "PASSWORD" in capitals`,
		"host=db Password = pw":                                         `the keyword "Password" in capitals`,
		"host=db password='pw; x' dbname=app":                           "",
		"Password=pw":                                                   "names a password",
		"Server=db;User Id=app;Password=pw;":                            "names a password",
		"'password'=pw":                                                 "names a password",
		"host=db password\v=pw":                                         "",
		"jdbc:postgresql:app?user=app&password=pw":                      "names a password",
		"postgres:/app:pw@db/app":                                       "names a password",
		"app:pw@127.0.0.1:5432/app":                                     "names a password",
		"host=db sslrootcert='/etc/ca.pem password=pw'":                 `inside the value of "sslrootcert"`,
		"host=db connect_timeout='10 password=pw'":                      `inside the value of "connect_timeout"`,
		"host=db password=my pw dbname=app":                             "no valid keyword/value string",
		"host=db password='pw":                                          "no valid keyword/value string",
		"host=db options='-c TimeZone=UTC' password=pw":                 "",
		"host=db password='a;b,c&d' application_name='my app'":          "",
		"host=db\tpassword=pw\tdbname=app":                              "",
		"PGPASSWORD=pw":                                                 "names a password",
		"DB_PASSWORD=pw":                                                "names a password",
		"//app:pw@127.0.0.1:5432/app":                                   "names a password",
		"postgres;//app:pw@db/app":                                      "names a password",
		"Server=db;Uid=app;Pwd=pw;Ref=http://x":                         "a URL of another scheme",
		"app:pw@db?x=postgres://":                                       "a URL of another scheme",
		"postgres://?host=/tmp/sock&port=5&dbname=db&user=a@b":          "",
		"postgres://app:p@db/app?application_name=app#1":                "",
		"postgres://app@[::1]:5432,db2/app?sslmode=disable":             "",
		"postgres://app:p@db/my@db":                                     `an "@" in its host or database`,
		"postgres://app:p@pw?word@db/app":                               "no key=value pair",
		"postgres://app:Tr0ub@pw?3@db/app":                              "no key=value pair",
		"postgres://app:p@pw?w=rd@db/app":                               `an "@" in a query setting that is no connection keyword`,
		"postgres://u:a@[pw?c@d]/app":                                   `an "@" in its host or database`,
		"postgres://u:a@[pw/app":                                        "IPv6 host",
		"postgres://?user=a@pw&pass%77ord=pw2&x=%zz":                    "does not percent-decode",
		"postgres://?user=a@b&pass%77ord=pw":                            `inside the value of "host"`,
		"postgres:///app?host=/run/user@1000":                           "",
		"postgres://app@[fe80::1%25eth0]:5432,db2:5433/app":             "",
		"postgres://db/app?dbname=postgres://app:pw@h/x":                `user:password@ inside the value of "dbname"`,
		"postgres://db/app?host=app:pw@h":                               `user:password@ inside the value of "host"`,
		"postgres://db/app?user=app:pw":                                 `a ":" in its user name`,
		"dbname=postgres://app:pw@127.0.0.1:5432/app":                   `user:password@ inside the value of "dbname"`,
		"host=postgres://app:pw@h/x":                                    `user:password@ inside the value of "host"`,
		"dbname=postgres://app:p/pw@h/x":                                `user:password@ inside the value of "dbname"`,
		"host=h user=app:pw dbname=app":                                 `a ":" in its user name`,
		"host=db password= dbname=app":                                  `gives "password" no value`,
		"host=db password='' dbname=app":                                "",
		" app:pw@db":                                                    "names a password",
		"\tapp:pw@db":                                                   "names a password",
		"app:se/pw@db/app":                                              "names a password",
		"app:hun pw@db":                                                 "names a password",
		"host=db dbname=app application_name=worker:1@host":             "",
		"postgres://db/app?application_name=worker:1@host":              "",
		"host=db sslrootcert=C:/Users/me@corp/ca.pem":                   "",
		`host=db sslrootcert='C:\\Users\\me@corp\\ca.pem'`:              "",
		"postgres://db/app?sslrootcert=C:%5CUsers%5Cme%40corp%5Cca.pem": "",
		"/srv/app/data/node:1/user@example.com.db":                      "",
		"host=db TimeZone=UTC":                                          "",
		"postgres://db/app?TimeZone=UTC":                                "",
		"postgres:///db?host=/cloudsql/p:r:i&user=u@x":                  "",
		"host=/cloudsql/proj:reg:inst dbname=app":                       "",
		`C:\Users\john@corp\app.db`:                                     "",
		"data/sessions.db":                                              "",
		"./a:b@c.db":                                                    "names a password", // a user:password@ after a "/"
	} {
		err := Check(s)
		if says == "" && err != nil || says != "" && (err == nil || !strings.Contains(err.Error(), says)) {
			t.Errorf("Check(%q) = %v, want %q", s, err, says)
		}
		if err != nil && strings.Contains(err.Error(), "pw") {
			t.Errorf("Check(%q) = %v, which shows the password", s, err)
		}
	}
}

// TestParseError: pgx's own errors for strings that do not parse, with
// the password in places pgx's redaction misses, come out with pgx's
// reason and without the password or any piece of it.
func TestParseError(t *testing.T) {
	for s, reason := range map[string]string{
		`host=db password='it\'s hunter2' sslmode=bogus`:           "sslmode is invalid",
		"host=db password='hunter2 x":                              "unterminated quoted string",
		`host=db password=x\ hunter2 sslmode=bogus`:                "sslmode is invalid",
		"host=db password=my hunter2 dbname=app":                   `missing "=" after "xxxxx"`,
		"postgres://app@db/app?password=x&hunter2&sslmode=require": "missing key/value separator",
		"postgres://app:hunter2@db:99999/app":                      "invalid port",
		"PASSWORD=hunter2 host=db sslmode=bogus":                   "sslmode is invalid",
	} {
		_, err := pgxpool.ParseConfig(s)
		if err == nil {
			t.Fatalf("ParseConfig(%q) succeeded", s)
		}
		got := ParseError(err, s)
		if !strings.Contains(got, reason) || strings.Contains(got, "hunter2") || strings.Contains(got, "cannot parse") {
			t.Errorf("ParseError(%q) = %q, want pgx's reason %q without the string or the password", s, got, reason)
		}
	}
}

// TestRedactor: a Redactor hides the passwords of every source it was
// given in what its writer writes, in one write or many, and passes other
// text through as it is.
func TestRedactor(t *testing.T) {
	var b strings.Builder
	w := NewRedactor("stats", "postgres://app:hunter2@db/app", "host=db password=s3cret", "").Writer(&b)
	for _, msg := range []string{`unknown command "postgres://app:hunter2@db/app"` + "\n", `"password=s3cret" is one argument too many` + "\n", "Usage: sessionsql stats\n"} {
		if n, err := w.Write([]byte(msg)); n != len(msg) || err != nil {
			t.Fatalf("Write(%q) = %d, %v", msg, n, err)
		}
	}
	want := `unknown command "postgres://app:xxxxx@db/app"` + "\n" + `"password=xxxxx" is one argument too many` + "\n" + "Usage: sessionsql stats\n"
	if b.String() != want {
		t.Fatalf("wrote %q, want %q", b.String(), want)
	}
}

// TestRedactManyPasswordSettings: a string of many password settings, each
// value running to the string's end, yields secrets whose total length
// grows with the string, not with its square (14,000 values of up to 126
// KB each would be 0.9 GB); and a long password (a token) is hidden whole.
func TestRedactManyPasswordSettings(t *testing.T) {
	for _, s := range []string{
		"file:" + strings.Repeat("password=", 14000),
		"host=db password=" + strings.Repeat("pwd=", 30000) + " sslmode=bogus",
		strings.Repeat("password='\\' ", 10000),
	} {
		total := 0
		for _, secret := range secrets(s) {
			total += len(secret)
		}
		if limit := 8 * len(s); total > limit {
			t.Errorf("secrets of a %d-byte string: %d bytes in all, want at most %d", len(s), total, limit)
		}
	}
	token := "eyJ" + strings.Repeat("aB3dE6gH9k", 180)
	if got := Redact(`unknown command "host=db password=`+token+` dbname=app"`, "host=db password="+token+" dbname=app"); got != `unknown command "host=db password=xxxxx dbname=app"` {
		t.Errorf("a %d-byte password: %q", len(token), got)
	}
}

// TestRedactUserinfoWithoutScheme: a user:password@ that is no URL (its
// scheme misspelt or missing), as Check refuses it, is hidden too.
func TestRedactUserinfoWithoutScheme(t *testing.T) {
	for _, s := range []string{
		"u:hunter2@db.example.com/app", "postgres:/u:hunter2@db/app", "//u:hunter2@db/app",
		"postgres//u:hunter2@db/app", " u:hunter2@db", "u:hun/ter2@db/app",
	} {
		if got := Redact(`unknown command "`+s+`"`, s); strings.Contains(got, "hunter2") || strings.Contains(got, "ter2") {
			t.Errorf("Redact of %q: %q", s, got)
		}
	}
}

// TestOtherArgs: the value of the named flag is left out, in every form
// the flag package reads, and nothing else is.
func TestOtherArgs(t *testing.T) {
	args := []string{"migrate", "--db", "a", "up", "-db=b", "--db=c", "-db", "d", "--table", "t", "x", "--dbx", "e", "-db"}
	want := []string{"migrate", "up", "--table", "t", "x", "--dbx", "e"}
	if got := OtherArgs(args, "db"); !slices.Equal(got, want) {
		t.Fatalf("OtherArgs(%q) = %q, want %q", args, got, want)
	}
}
