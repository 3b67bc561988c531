package migrations_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sessionsql/sessionsql/internal/pgtest"
	"github.com/sessionsql/sessionsql/migrations"
)

// gooseTags leave out the goose CLI drivers these tests do not use, so the
// build is quicker and needs fewer modules.
const gooseTags = "no_clickhouse no_mssql no_mysql no_vertica no_ydb no_libsql no_azuresql no_turso no_spanner no_starrocks"

var (
	gooseOnce sync.Once
	goosePath string
	gooseErr  error
)

// gooseVersion is the goose module version this module builds against, so
// the CLI under test and the library agree.
func gooseVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range bi.Deps {
			if dep.Path == "github.com/pressly/goose/v3" {
				return dep.Version
			}
		}
	}
	return "v3.29.0"
}

// gooseCLI returns the path of a goose binary: one on PATH, or one built
// with `go install` into the user cache. It skips t when neither works,
// except in CI, where it fails.
func gooseCLI(t *testing.T) string {
	t.Helper()
	gooseOnce.Do(func() {
		if p, err := exec.LookPath("goose"); err == nil {
			goosePath = p
			return
		}
		cache, err := os.UserCacheDir()
		if err != nil {
			cache = os.TempDir()
		}
		bin := filepath.Join(cache, "sessionsql", "goose-"+gooseVersion())
		goosePath = filepath.Join(bin, "goose")
		if _, err := os.Stat(goosePath); err == nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "go", "install", "-tags", gooseTags,
			"github.com/pressly/goose/v3/cmd/goose@"+gooseVersion())
		cmd.Env = append(os.Environ(), "GOBIN="+bin)
		if out, err := cmd.CombinedOutput(); err != nil {
			gooseErr = err
			goosePath = string(out)
		}
	})
	if gooseErr != nil {
		if pgtest.InCI() {
			t.Fatalf("cannot build the goose CLI: %v\n%s", gooseErr, goosePath)
		}
		t.Skipf("skipping: cannot build the goose CLI (%v); install it with `go install github.com/pressly/goose/v3/cmd/goose@%s`", gooseErr, gooseVersion())
	}
	return goosePath
}

// goose runs the CLI from the repository root, exactly as the README
// shows, and returns its combined output.
func goose(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command(gooseCLI(t), args...)
	cmd.Dir = ".."
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("goose %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

var statusLine = regexp.MustCompile(`(?m)^.*--\s+00001_create_sessions\.sql\s*$`)

// gooseStatus reports whether `goose status` lists the first migration as
// applied.
func gooseStatus(t *testing.T, args ...string) bool {
	t.Helper()
	out := goose(t, append(args, "status")...)
	line := statusLine.FindString(out)
	if line == "" {
		t.Fatalf("goose status does not list 00001_create_sessions.sql:\n%s", out)
	}
	return !strings.Contains(line, "Pending")
}

func TestGooseCLI(t *testing.T) {
	for _, tg := range targets {
		gooseArgs := func(dsn string) []string {
			driver := map[migrations.Dialect]string{migrations.Postgres: "postgres", migrations.SQLite: "sqlite3"}[tg.dialect]
			return []string{"-dir", "migrations/" + string(tg.dialect), "-table", migrations.VersionTable, driver, dsn}
		}
		t.Run(tg.name+"/cli up, library agrees", func(t *testing.T) {
			db, dsn := tg.open(t)
			if gooseStatus(t, gooseArgs(dsn)...) {
				t.Fatal("goose status says applied on a fresh database")
			}
			goose(t, append(gooseArgs(dsn), "up")...)
			if !gooseStatus(t, gooseArgs(dsn)...) {
				t.Fatal("goose status says pending after goose up")
			}
			if v, want := version(t, db, tg.dialect), latest(t, tg.dialect); v != want {
				t.Fatalf("library sees version %d after goose up, want %d", v, want)
			}
			mustUp(t, db, tg.dialect) // nothing left to do, no error
			probe(t, db, tg.dialect)
		})
		t.Run(tg.name+"/library up, cli agrees", func(t *testing.T) {
			db, dsn := tg.open(t)
			mustUp(t, db, tg.dialect)
			if !gooseStatus(t, gooseArgs(dsn)...) {
				t.Fatal("goose status says pending after migrations.Up")
			}
			out := goose(t, append(gooseArgs(dsn), "up")...)
			if !strings.Contains(out, "no migrations to run") {
				t.Fatalf("goose up after migrations.Up did something:\n%s", out)
			}
			goose(t, append(gooseArgs(dsn), "down")...)
			if v := version(t, db, tg.dialect); v != latest(t, tg.dialect)-1 {
				t.Fatalf("library sees version %d after goose down, want %d", v, latest(t, tg.dialect)-1)
			}
		})
	}
}
