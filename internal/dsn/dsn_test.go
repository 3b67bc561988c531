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
	} {
		if got := Describe(s); got != want {
			t.Errorf("Describe(%q) = %q, want %q", s, got, want)
		}
	}
}
