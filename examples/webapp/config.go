package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Config is everything the app can be told at start.
type Config struct {
	Addr          string // where to listen
	DB            string // a SQLite file's path, or a postgres:// URL; with Postgres, any pgx connection string
	Postgres      bool   // DB is a PostgreSQL connection string ("": libpq's PG* variables)
	SecureCookies bool   // mark the session cookie Secure (serve over TLS)

	DemoEmail, DemoPassword string // the account made on first run

	// For tests; zero values mean the real thing.
	BcryptCost int              // default bcrypt.DefaultCost
	Now        func() time.Time // the login limiter's clock
	handling   func()           // called as each request reaches the routes
}

const (
	defaultDemoEmail    = "demo@example.com"
	defaultDemoPassword = "demo-password"
	defaultDB           = "webapp.db"
)

// flagSet reports whether the command line set flag name.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// configFromFlags reads the command line and the environment; flag's
// usage and errors go to out.
func configFromFlags(args []string, out io.Writer) (Config, error) {
	fs := flag.NewFlagSet("webapp", flag.ContinueOnError)
	fs.SetOutput(out)
	c := Config{}
	fs.StringVar(&c.Addr, "addr", envOr("ADDR", "localhost:8080"), "address to listen on (env ADDR)")
	// The default shown is webapp.db even when DATABASE_URL is set: the
	// usage text must not print a password. Parse applies it.
	fs.StringVar(&c.DB, "db", defaultDB, "a SQLite file's path, or a PostgreSQL URL, postgres://... (env DATABASE_URL)")
	var postgres string
	fs.StringVar(&postgres, "postgres", "", "a PostgreSQL connection string in any form pgx reads, \"host=db dbname=app\" too; -postgres= reads libpq's PG* variables")
	secure, envErr := envBool("SECURE_COOKIES")
	fs.BoolVar(&c.SecureCookies, "secure", secure, "mark the session cookie Secure, for serving over TLS (env SECURE_COOKIES=true)")
	fs.StringVar(&c.DemoEmail, "demo-email", defaultDemoEmail, "email of the demo account created on first run")
	fs.StringVar(&c.DemoPassword, "demo-password", defaultDemoPassword, "password of the demo account")
	if err := fs.Parse(args); err != nil {
		return c, fmt.Errorf("%w: %w", errFlagsPrinted, err)
	}
	switch {
	case flagSet(fs, "postgres") && flagSet(fs, "db"):
		return c, errors.New("give -db or -postgres, not both")
	case flagSet(fs, "postgres"):
		c.DB, c.Postgres = postgres, true
	case !flagSet(fs, "db"):
		c.DB = envOr("DATABASE_URL", defaultDB)
	}
	if envErr != nil {
		return c, envErr
	}
	// A database the app cannot tell for sure is a mistake of the command
	// line (status 2), found before anything is opened.
	return c, checkDB(c.DB, c.Postgres)
}

// errFlagsPrinted marks an error of the command line that flag has printed
// already, with the usage.
var errFlagsPrinted = errors.New("bad command line")

// envBool reads a true/false environment variable the way flag reads a
// bool (1, t, true, 0, f, false, ...); unset or empty is false.
func envBool(key string) (bool, error) {
	v := os.Getenv(key)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("%s=%q: say true or false", key, v)
	}
	return b, nil
}

func envOr(key, fallback string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return fallback
}

func (c Config) bcryptCost() int {
	if c.BcryptCost == 0 {
		return bcrypt.DefaultCost
	}
	return c.BcryptCost
}

func (c Config) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}
