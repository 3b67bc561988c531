package main

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
)

// TestSecureCookiesEnv: SECURE_COOKIES reads as a bool the way -secure
// does, so "false" leaves cookies usable over plain http, and a value that
// is no bool stops the app instead of guessing.
func TestSecureCookiesEnv(t *testing.T) {
	for _, c := range []struct {
		env     string
		want    bool
		wantErr bool
	}{
		{"", false, false},
		{"false", false, false},
		{"0", false, false},
		{"true", true, false},
		{"1", true, false},
		{"yes", false, true},
	} {
		t.Setenv("SECURE_COOKIES", c.env)
		cfg, err := configFromFlags(nil, io.Discard)
		if (err != nil) != c.wantErr || cfg.SecureCookies != c.want {
			t.Errorf("SECURE_COOKIES=%q: SecureCookies %v, error %v; want %v, error %v", c.env, cfg.SecureCookies, err, c.want, c.wantErr)
		}
	}
	t.Setenv("SECURE_COOKIES", "yes")
	if _, err := configFromFlags([]string{"-h"}, io.Discard); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h with a bad SECURE_COOKIES: %v, want the help, before the variable is judged", err)
	}
	if _, err := configFromFlags(nil, io.Discard); err == nil || errors.Is(err, errFlagsPrinted) {
		t.Errorf("a bad SECURE_COOKIES: %v, want an error main prints (flag has not)", err)
	}
	t.Setenv("SECURE_COOKIES", "false")
	if cfg, err := configFromFlags([]string{"-secure"}, io.Discard); err != nil || !cfg.SecureCookies {
		t.Errorf("-secure over SECURE_COOKIES=false: SecureCookies %v, %v; want true", cfg.SecureCookies, err)
	}
}

// TestDatabaseURLEnv: DATABASE_URL is the database unless -db names one,
// and the usage text, which flag prints for -h and for any mistake, never
// shows it (it may hold a password).
func TestDatabaseURLEnv(t *testing.T) {
	const conn = "postgres://app:hunter2@db/app"
	t.Setenv("DATABASE_URL", conn)
	if cfg, err := configFromFlags(nil, io.Discard); err != nil || cfg.DB != conn {
		t.Errorf("DATABASE_URL set, no -db: DB %q, %v; want %q", cfg.DB, err, conn)
	}
	if cfg, err := configFromFlags([]string{"-db", "other.db"}, io.Discard); err != nil || cfg.DB != "other.db" {
		t.Errorf("-db over DATABASE_URL: DB %q, %v; want other.db", cfg.DB, err)
	}
	for _, args := range [][]string{{"-h"}, {"-bogus"}} {
		var out bytes.Buffer
		_, err := configFromFlags(args, &out)
		if err == nil || !strings.Contains(out.String(), "-db string") || strings.Contains(out.String(), "hunter2") {
			t.Errorf("%v with DATABASE_URL set: %v, usage:\n%s\nwant the usage without the password", args, err, out.String())
		}
	}
	// A URL pgx cannot read is a command-line mistake (main exits 2), from
	// -db or DATABASE_URL, said without its password.
	const bad = "postgres://app:hunter2@db:99999/app"
	for _, args := range [][]string{{"-db", bad}, nil} {
		t.Setenv("DATABASE_URL", bad)
		_, err := configFromFlags(args, io.Discard)
		if err == nil || errors.Is(err, errFlagsPrinted) || strings.Contains(err.Error(), "hunter2") || !strings.Contains(err.Error(), "DATABASE_URL") {
			t.Errorf("%q with DATABASE_URL %q: %v; want an error naming DATABASE_URL, without the password", args, bad, err)
		}
	}
	t.Setenv("DATABASE_URL", "")
	if cfg, err := configFromFlags(nil, io.Discard); err != nil || cfg.DB != defaultDB {
		t.Errorf("no DATABASE_URL, no -db: DB %q, %v; want %q", cfg.DB, err, defaultDB)
	}
}

// TestDescribeNamesEveryServer: the log line naming a PostgreSQL database
// lists every server of a multi-host URL, each once, and no password.
func TestDescribeNamesEveryServer(t *testing.T) {
	for url, want := range map[string]string{
		"postgres://app:hunter2@db1:5432,db2:5433/sessions?target_session_attrs=read-write": "PostgreSQL at app@db1:5432,db2:5433/sessions",
		"postgres://app:hunter2@[::1]:5432,[fd00::2]/sessions":                              "PostgreSQL at app@[::1]:5432,[fd00::2]:5432/sessions",
	} {
		cfg, err := pgxpool.ParseConfig(url)
		if err != nil {
			t.Fatal(err)
		}
		if got := describe(cfg); got != want {
			t.Errorf("describe = %q, want %q", got, want)
		}
	}
}
