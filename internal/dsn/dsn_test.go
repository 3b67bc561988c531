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
	} {
		if got := IsPostgres(s); got != want {
			t.Errorf("IsPostgres(%q) = %v, want %v", s, got, want)
		}
	}
}
