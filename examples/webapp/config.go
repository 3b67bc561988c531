package main

import (
	"flag"
	"os"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Config is everything the app can be told at start.
type Config struct {
	Addr          string // where to listen
	DB            string // a SQLite file, or a postgres:// URL
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
)

func configFromFlags(args []string) (Config, error) {
	fs := flag.NewFlagSet("webapp", flag.ContinueOnError)
	c := Config{}
	fs.StringVar(&c.Addr, "addr", envOr("ADDR", "localhost:8080"), "address to listen on (env ADDR)")
	fs.StringVar(&c.DB, "db", envOr("DATABASE_URL", "webapp.db"), "SQLite file, or a postgres:// URL (env DATABASE_URL)")
	fs.BoolVar(&c.SecureCookies, "secure", os.Getenv("SECURE_COOKIES") != "", "mark the session cookie Secure, for serving over TLS (env SECURE_COOKIES)")
	fs.StringVar(&c.DemoEmail, "demo-email", defaultDemoEmail, "email of the demo account created on first run")
	fs.StringVar(&c.DemoPassword, "demo-password", defaultDemoPassword, "password of the demo account")
	err := fs.Parse(args)
	return c, err
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
