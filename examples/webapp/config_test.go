package main

import (
	"errors"
	"flag"
	"testing"
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
		cfg, err := configFromFlags(nil)
		if (err != nil) != c.wantErr || cfg.SecureCookies != c.want {
			t.Errorf("SECURE_COOKIES=%q: SecureCookies %v, error %v; want %v, error %v", c.env, cfg.SecureCookies, err, c.want, c.wantErr)
		}
	}
	t.Setenv("SECURE_COOKIES", "yes")
	if _, err := configFromFlags([]string{"-h"}); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h with a bad SECURE_COOKIES: %v, want the help, before the variable is judged", err)
	}
	if _, err := configFromFlags(nil); err == nil || errors.Is(err, errFlagsPrinted) {
		t.Errorf("a bad SECURE_COOKIES: %v, want an error main prints (flag has not)", err)
	}
	t.Setenv("SECURE_COOKIES", "false")
	if cfg, err := configFromFlags([]string{"-secure"}); err != nil || !cfg.SecureCookies {
		t.Errorf("-secure over SECURE_COOKIES=false: SecureCookies %v, %v; want true", cfg.SecureCookies, err)
	}
}
