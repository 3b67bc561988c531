package dsn

import "testing"

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
	} {
		if got := IsPostgres(s); got != want {
			t.Errorf("IsPostgres(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestDescribeHidesThePassword(t *testing.T) {
	for s, want := range map[string]string{
		"postgres://app:secret@db:5433/app":                     "PostgreSQL at postgres://app:xxxxx@db:5433/app",
		"host=db port=5433 user=app password=secret dbname=app": "PostgreSQL at app@db:5433/app",
		"postgres://%zz": "PostgreSQL (unparsable connection string)",
		"postgres://app@db/app?sslmode=require&password=secret&sslpassword=keyphrase": "PostgreSQL at postgres://app@db/app?sslmode=require&password=xxxxx&sslpassword=xxxxx",
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
	} {
		if got := Redact(c.msg, c.s); got != c.want {
			t.Errorf("Redact(%q, %q) = %q, want %q", c.msg, c.s, got, c.want)
		}
	}
}
