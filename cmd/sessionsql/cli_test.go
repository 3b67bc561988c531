package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/sessionsql/sessionsql"
	"github.com/sessionsql/sessionsql/internal/leakcheck"
	"github.com/sessionsql/sessionsql/internal/pgtest"
)

// binary is the sessionsql command built for the tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "sessionsql-cli-")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "sessionsql")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		panic("go build: " + err.Error() + "\n" + string(out))
	}
	// scs.New always starts a memstore whose cleanup goroutine runs
	// forever, even when the app replaces the store at once: that one is
	// not ours to stop.
	leakcheck.VerifyTestMain(pgtest.M(m), leakcheck.IgnoreTopFunction("github.com/alexedwards/scs/v2/memstore.(*MemStore).startCleanup"), leakcheck.Cleanup(func(code int) {
		os.RemoveAll(dir)
		os.Exit(code)
	}))
}

// cli runs the built command and returns its status and output.
func cli(t *testing.T, args ...string) (status int, stdout, stderr string) {
	t.Helper()
	return cliWithEnv(t, "", args...)
}

// cliWithEnv is cli with DATABASE_URL set to databaseURL.
func cliWithEnv(t *testing.T, databaseURL string, args ...string) (status int, stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = append(os.Environ(), "DATABASE_URL="+databaseURL)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if exit, ok := err.(*exec.ExitError); ok {
		return exit.ExitCode(), out.String(), errOut.String()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, out.String(), errOut.String()
}

func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	status, out, errOut := cli(t, args...)
	if status != 0 {
		t.Fatalf("sessionsql %s: status %d\n%s%s", strings.Join(args, " "), status, out, errOut)
	}
	return out
}

// backends gives each test a fresh database: a SQLite file path or a
// PostgreSQL URL whose search_path is a fresh schema.
var backends = map[string]func(t *testing.T) string{
	"sqlite":   func(t *testing.T) string { return filepath.Join(t.TempDir(), "sessions.db") },
	"postgres": func(t *testing.T) string { return pgtest.URL(t, pgtest.Schema(t)) },
	// A database of its own behind PgBouncer in transaction pooling, the
	// URL naming no exec mode.
	"pgbouncer": func(t *testing.T) string {
		return pgtest.BouncerURL(t, pgtest.Transaction, pgtest.Database(t), "")
	},
}

func eachBackend(t *testing.T, fn func(t *testing.T, db string)) {
	for name, newDB := range backends {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fn(t, newDB(t))
		})
	}
}

// openStore opens db's sessions table the way the commands do, until t
// ends.
func openStore(t *testing.T, db string) *sessionsql.Store {
	t.Helper()
	tg := target{db: db, table: "sessions"}
	if err := tg.resolve(); err != nil {
		t.Fatal(err)
	}
	d, err := open(context.Background(), tg, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.close)
	st, err := d.store(0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// seed writes sessions through a store with the owner index on: live ones
// of owners 42 (three) and 7 (one), one anonymous, and expired ones.
func seed(t *testing.T, db string, expired int) (ids []string) {
	t.Helper()
	return seedAs(t, db, "", expired)
}

// seedAs is seed with prefix before every token: a revoked token stays
// refused, so seeding again needs new ones.
func seedAs(t *testing.T, db, prefix string, expired int) (ids []string) {
	t.Helper()
	st := openStore(t, db)
	commit := func(token string, values map[string]any, expiry time.Time) {
		data, err := scs.GobCodec{}.Encode(expiry, values)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Commit(token, data, expiry); err != nil {
			t.Fatal(err)
		}
	}
	live := time.Now().Add(time.Hour)
	for i, owner := range []int64{42, 42, 42, 7} {
		tok := prefix + "live-" + string(rune('a'+i))
		commit(tok, map[string]any{"user_id": owner}, live)
		if owner == 42 {
			ids = append(ids, sessionsql.SessionID(tok))
		}
	}
	commit(prefix+"anonymous", map[string]any{"cart": "tea"}, live)
	for i := range expired {
		commit(prefix+"old-"+string(rune('a'+i%26))+string(rune('a'+i/26)), map[string]any{"user_id": int64(1)}, time.Now().Add(-time.Hour))
	}
	return ids
}

func stats(t *testing.T, db string) tableStats {
	t.Helper()
	var s tableStats
	if err := json.Unmarshal([]byte(mustRun(t, "stats", "--db", db, "--json")), &s); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestCommands runs every command end to end on both backends.
func TestCommands(t *testing.T) {
	eachBackend(t, func(t *testing.T, db string) {
		out := mustRun(t, "migrate", "up", "--db", db)
		if !strings.Contains(out, "applied  00002_session_owner.sql") {
			t.Fatalf("migrate up printed:\n%s", out)
		}
		ids := seed(t, db, 600)

		s := stats(t, db)
		if s.Live != 5 || s.Expired != 600 || !s.OwnerIndex || s.OldestExpiry == nil || s.TableBytes <= 0 || s.IndexBytes <= 0 {
			t.Fatalf("stats: %+v", s)
		}
		if len(s.BusiestOwners) == 0 || s.BusiestOwners[0] != (ownerCount{Owner: "42", Sessions: 3}) {
			t.Fatalf("busiest owners: %+v", s.BusiestOwners)
		}
		text := mustRun(t, "stats", "--db", db)
		for _, want := range []string{"live sessions     5", "expired sessions  600", "busiest owners", "42: 3 sessions"} {
			if !strings.Contains(text, want) {
				t.Fatalf("stats does not say %q:\n%s", want, text)
			}
		}

		out = mustRun(t, "prune", "--db", db, "--batch", "250", "--pause", "1ms")
		if !strings.Contains(out, "pruned 600 expired rows") || !strings.Contains(out, "in 3 batches") {
			t.Fatalf("prune printed:\n%s", out)
		}
		if s := stats(t, db); s.Expired != 0 || s.Live != 5 {
			t.Fatalf("after prune: %+v", s)
		}

		out = mustRun(t, "revoke", "--db", db, "--owner", "42", "--except", ids[0])
		if !strings.Contains(out, "revoked 2 sessions of owner 42") {
			t.Fatalf("revoke printed:\n%s", out)
		}
		out = mustRun(t, "revoke", "--db", db, "--owner", "7", "--except", "live-d") // a stored token
		if !strings.Contains(out, "revoked 0 sessions of owner 7") {
			t.Fatalf("revoke --except TOKEN printed:\n%s", out)
		}
		out = mustRun(t, "revoke", "--db", db, "--all")
		if !strings.Contains(out, "revoked every session: 3 live sessions deleted from") || !strings.Contains(out, "(and 0 expired rows)") {
			t.Fatalf("revoke --all printed:\n%s", out)
		}

		out = mustRun(t, "migrate", "down", "--db", db)
		if !strings.Contains(out, "pending  00003_deleted_sessions.sql") {
			t.Fatalf("migrate down printed:\n%s", out)
		}
		if s := stats(t, db); s.Live != 0 || s.Expired != 0 || s.Deleted != 0 || !s.OwnerIndex {
			t.Fatalf("stats after rolling migration 3 back, which deletes the revoked sessions: %+v", s)
		}
		if status, _, errOut := cli(t, "revoke", "--db", db, "--all"); status != 1 || !strings.Contains(errOut, "run `sessionsql migrate up`") {
			t.Fatalf("revoke --all before migration 3: status %d, %s; want status 1 saying to migrate up", status, errOut)
		}
		out = mustRun(t, "migrate", "down", "--db", db)
		if !strings.Contains(out, "pending  00002_session_owner.sql") {
			t.Fatalf("migrate down printed:\n%s", out)
		}
		if s := stats(t, db); s.OwnerIndex {
			t.Fatal("stats sees an owner index after rolling migration 2 back")
		}
		mustRun(t, "migrate", "down", "--db", db)
		out = mustRun(t, "migrate", "down", "--db", db)
		if !strings.Contains(out, "nothing to roll back") || !strings.Contains(out, "pending  00001_create_sessions.sql") {
			t.Fatalf("migrate down with no migration applied printed:\n%s", out)
		}
	})
}

// TestErrors: each mistake an operator makes gets a non-zero status and a
// message saying what to do.
func TestErrors(t *testing.T) {
	notSQLite := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(notSQLite, bytes.Repeat([]byte("not a database\n"), 100), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		args   []string
		status int
		says   string
	}{
		{"no command", nil, 2, "Usage: sessionsql <command>"},
		{"unknown command", []string{"vacuum"}, 2, `unknown command "vacuum"`},
		{"no database", []string{"stats"}, 2, "pass --db"},
		{"bad URL", []string{"stats", "--db", "postgres://%zz"}, 2, "no PostgreSQL connection string pgx can read"},
		{"bad keyword/value string", []string{"stats", "--postgres", "host=db pool_max_conns=many"}, 2, "no PostgreSQL connection string pgx can read"},
		{"keyword/value string as --db", []string{"stats", "--db", "host=db dbname=app"}, 2, "pass one of those with --postgres"},
		{"--db and --postgres", []string{"stats", "--db", "x.db", "--postgres", "host=db"}, 2, "not both"},
		{"a flag after migrate --db DB up", []string{"migrate", "--db", "x.db", "up", "--table", "t"}, 2, "--table was not read as a flag: give the flags all before the action"},
		{"a word, then a flag, after migrate's action", []string{"migrate", "up", "--db", "x.db", "now", "--table", "t"}, 2, `the argument "now" after it is one too many`},
		{"other URL", []string{"stats", "--db", "mysql://x"}, 2, "--db is a URL of another kind: give a postgres:// URL"},
		{"unreadable CA file", []string{"stats", "--postgres", "host=127.0.0.1 sslmode=verify-full sslrootcert=" + filepath.Join(t.TempDir(), "none.crt")}, 2, "none.crt, which cannot be read"},
		{"file URI", []string{"migrate", "up", "--db", "file:x.db?mode=rwc"}, 2, "is a file: URI"},
		{"unreachable", []string{"stats", "--db", "postgres://nobody@" + closedAddr(t) + "/x?connect_timeout=2"}, 1, "cannot reach PostgreSQL"},
		{"no such file", []string{"prune", "--db", filepath.Join(t.TempDir(), "none.db")}, 1, "sessionsql migrate up"},
		{"bad table", []string{"stats", "--db", "x.db", "--table", "a;drop"}, 2, "--table"},
		{"negative top", []string{"stats", "--db", "x.db", "--top", "-1"}, 2, "--top of 0 or more"},
		{"not a database", []string{"stats", "--db", notSQLite}, 1, "is not a SQLite database"},
		{"no such directory", []string{"migrate", "up", "--db", filepath.Join(t.TempDir(), "none", "x.db")}, 1, "check that its directory exists"},
		{"migrate with one argument too many", []string{"migrate", "up", "--db", "x.db", "now"}, 2, `the argument "now" after it is one too many`},
		{"revoke without a target", []string{"revoke", "--db", "x.db"}, 2, "say --owner ID or --all"},
		{"migrate without an action", []string{"migrate", "--db", "x.db"}, 2, "say up, down or status"},
		{"unknown flag", []string{"prune", "--fast"}, 2, "flag provided but not defined"},
	}
	for _, c := range cases {
		status, out, errOut := cli(t, c.args...)
		if status != c.status || !strings.Contains(out+errOut, c.says) {
			t.Errorf("%s: status %d, output:\n%s%s\nwant status %d saying %q", c.name, status, out, errOut, c.status, c.says)
		}
	}
}

// closedPort is closedAddr's port.
func closedPort(t *testing.T) string {
	t.Helper()
	_, port, err := net.SplitHostPort(closedAddr(t))
	if err != nil {
		t.Fatal(err)
	}
	return port
}

// closedAddr is a local TCP address nothing listens on: one the kernel
// just handed out to a listener, closed again.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

func TestCount(t *testing.T) {
	for got, want := range map[string]string{
		count(0, "session"): "0 sessions", count(1, "session"): "1 session", count(int64(2), "expired row"): "2 expired rows",
		count(1, "batch"): "1 batch", count(3, "batch"): "3 batches",
	} {
		if got != want {
			t.Errorf("count: %q, want %q", got, want)
		}
	}
}

// TestBadDSNHidesThePassword: a connection string pgx cannot read is a
// usage error (status 2) with a fixed message that never repeats it;
// one it reads but cannot reach names the server from pgx's parsed config.
func TestBadDSNHidesThePassword(t *testing.T) {
	port := closedPort(t)
	const fixed = "no PostgreSQL connection string pgx can read (it is not repeated here"
	for _, c := range []struct {
		args   []string
		status int
		says   string
	}{
		{[]string{"--postgres", "host=db password=hunter2 pool_max_conns=many"}, 2, fixed},
		{[]string{"--postgres", "host=db password='hunter2 x"}, 2, fixed},
		{[]string{"--postgres", `host=db password=x\ hunter2 sslmode=bogus`}, 2, fixed},
		{[]string{"--postgres", "postgres://app:hunter2@db/app?pool_max_conns=many"}, 2, fixed},
		{[]string{"--db", "postgres://app:hunter2@db/app?pool_max_conns=many"}, 2, fixed},
		{[]string{"--db", "postgres://app@db:99999/app?password=hunter2"}, 2, fixed},
		{[]string{"--db", "postgres://app:hunter2@x@db.invalid:99999/app"}, 2, fixed},
		{[]string{"--db", "host=db password=hunter2"}, 2, "pass one of those with --postgres"},
		{[]string{"--db", "mysql://app:hunter2@db/app"}, 2, "a URL of another kind"},
		{[]string{"--db", "jdbc:postgresql://db/app?user=app&password=hunter2"}, 2, "a URL of another kind"},
		{[]string{"--db", "file:app:hunter2@db"}, 2, "is a file: URI"},
		{[]string{"--db", "postgres://app:4242/hunter2@127.0.0.1/app"}, 2, `would be misread by pgx`},
		{[]string{"--db", "postgres://u:12#hunter2@db/app"}, 2, `would be misread by pgx`},
		{[]string{"--db", "postgres://app:hunter2@db/app?x&hunter2"}, 2, "--db"},
		{[]string{"--postgres", "host=127.0.0.1port=1password=hunter2"}, 2, "settings run together"},
		{[]string{"--db", "user:hunter2@localhost/app"}, 2, "starts as user:password@"},
		{[]string{"--db", "postgres:/u:hunter2@h/d"}, 2, "starts as user:password@"},
		{[]string{"--postgres", "host=127.0.0.1 port=" + port + " dbname=app user=u password=hunter2 connect_timeout=2"}, 1, "PostgreSQL at u@127.0.0.1:" + port + "/app"},
		{[]string{"--db", "postgres://u:hunter2@127.0.0.1:" + port + "/app?connect_timeout=2"}, 1, "PostgreSQL at u@127.0.0.1:" + port + "/app"},
		{[]string{"--db", "postgres://u:hunter2@127.0.0.1:" + port + ",localhost:" + port + "/app?connect_timeout=2"}, 1, "PostgreSQL at u@127.0.0.1:" + port + ",localhost:" + port + "/app:"},
	} {
		status, out, errOut := cli(t, append([]string{"stats"}, c.args...)...)
		if status != c.status || !strings.Contains(errOut, c.says) || strings.Contains(out+errOut, "hunter2") {
			t.Errorf("stats %q: status %d, output:\n%s%s\nwant status %d saying %q, and no password", c.args, status, out, errOut, c.status, c.says)
		}
	}
	// The same from DATABASE_URL, whose message names it.
	status, out, errOut := cliWithEnv(t, "postgres://app:hunter2@db/app?pool_max_conns=many", "stats")
	if status != 2 || !strings.Contains(errOut, "DATABASE_URL is "+fixed[:10]) || strings.Contains(out+errOut, "hunter2") {
		t.Errorf("stats with a bad DATABASE_URL: status %d, output:\n%s%s\nwant status 2 naming DATABASE_URL, no password", status, out, errOut)
	}
	// The usage text, printed for any mistake, shows no default value for
	// --db: it would be $DATABASE_URL, password and all.
	status, out, errOut = cliWithEnv(t, "postgres://app:hunter2@db/app", "stats", "--bogus")
	if status != 2 || !strings.Contains(errOut, "default $DATABASE_URL") || strings.Contains(out+errOut, "hunter2") {
		t.Errorf("stats --bogus with DATABASE_URL set: status %d, output:\n%s%s\nwant the usage without the password", status, out, errOut)
	}
}

// TestMissingTable: a database without the schema says to run migrate up.
func TestMissingTable(t *testing.T) {
	eachBackend(t, func(t *testing.T, db string) {
		if strings.HasSuffix(db, ".db") { // an empty SQLite file
			f, err := os.Create(db)
			if err != nil {
				t.Fatal(err)
			}
			f.Close()
		}
		for _, args := range [][]string{{"stats"}, {"prune"}, {"revoke", "--all"}} {
			status, out, errOut := cli(t, append(args, "--db", db)...)
			if status != 1 || !strings.Contains(errOut, "run `sessionsql migrate up` first") || out != "" {
				t.Errorf("%v on a database without the table: status %d\n%s%s\nwant status 1, nothing on stdout", args, status, out, errOut)
			}
		}
	})
}

// TestCustomTable: migrate refuses a --table the migrations do not create,
// and the other commands, on a table of another name that does not exist,
// say to create it rather than to run migrate up again.
func TestCustomTable(t *testing.T) {
	eachBackend(t, func(t *testing.T, db string) {
		mustRun(t, "migrate", "up", "--db", db)
		status, out, errOut := cli(t, "migrate", "up", "--db", db, "--table", "app_sessions")
		if status != 2 || !strings.Contains(errOut, `the migrations create the table "sessions" and no other`) {
			t.Errorf("migrate up --table app_sessions: status %d\n%s%s\nwant a usage error", status, out, errOut)
		}
		for _, table := range []string{"app_sessions", "other.sessions"} {
			for _, args := range [][]string{{"stats"}, {"prune"}, {"revoke", "--owner", "42"}, {"revoke", "--owner", "42", "--except", "abc"}} {
				status, out, errOut := cli(t, append(args, "--db", db, "--table", table)...)
				if status != 1 || !strings.Contains(errOut, "`sessionsql migrate up` creates only \"sessions\"") ||
					!strings.Contains(errOut, "so create "+table) || strings.Contains(errOut, "run `sessionsql migrate up`") {
					t.Errorf("%v --table %s: status %d\n%s%s", args, table, status, out, errOut)
				}
			}
		}
	})
}

// TestRevokeExceptNamingNoSession: a --except that names none of the
// owner's sessions fails and revokes nothing, instead of keeping none.
func TestRevokeExceptNamingNoSession(t *testing.T) {
	eachBackend(t, func(t *testing.T, db string) {
		mustRun(t, "migrate", "up", "--db", db)
		seed(t, db, 0)
		for _, except := range []string{"nosuch", sessionsql.SessionID("live-d")} { // a token, and owner 7's ID
			status, out, errOut := cli(t, "revoke", "--db", db, "--owner", "42", "--except", except)
			if status != 1 || !strings.Contains(errOut, "is none of owner 42's 3 live sessions, so nothing was revoked") {
				t.Errorf("revoke --except %s: status %d\n%s%s", except, status, out, errOut)
			}
		}
		if s := stats(t, db); s.Live != 5 {
			t.Fatalf("%d live sessions after the refused revokes, want all 5", s.Live)
		}
	})
}

// TestLockedSQLiteFile: a file another process is writing gives a clear
// error after the busy timeout instead of hanging.
func TestLockedSQLiteFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sessions.db")
	mustRun(t, "migrate", "up", "--db", path)
	seed(t, path, 3)
	other, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(context.Background(), "BEGIN EXCLUSIVE"); err != nil {
		t.Fatal(err)
	}
	status, out, errOut := cli(t, "prune", "--db", path)
	if status != 1 || !strings.Contains(errOut, "locked by another process") {
		t.Fatalf("prune on a locked file: status %d\n%s%s", status, out, errOut)
	}
}

// TestHelp: every command explains itself, with examples, and exits 0.
func TestHelp(t *testing.T) {
	for _, c := range append(commands, command{name: "--help"}) {
		args := []string{c.name, "--help"}
		if c.name == "--help" {
			args = args[:1]
		}
		status, out, errOut := cli(t, args...)
		if status != 0 || !strings.Contains(out+errOut, "sessionsql") {
			t.Errorf("sessionsql %s: status %d\n%s%s", strings.Join(args, " "), status, out, errOut)
		}
		if c.name != "--help" && !strings.Contains(errOut, "Examples:") {
			t.Errorf("sessionsql %s --help shows no examples", c.name)
		}
	}
}

// TestPruneStopsBetweenBatches: an interrupt ends the run before the next
// batch, and says so.
func TestPruneStopsBetweenBatches(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sessions.db")
	mustRun(t, "migrate", "up", "--db", path)
	seed(t, path, 10)
	st := openStore(t, path)
	ctx, cancel := context.WithCancel(context.Background())
	p, err := prune(ctx, st, 3, 0, func(p pruneStats) {
		if p.batches == 2 {
			cancel() // Ctrl-C during the second batch
		}
	})
	if err != nil || !p.stopped || p.batches != 2 || p.deleted != 6 {
		t.Fatalf("prune after an interrupt: %+v, %v; want stopped after 2 full batches", p, err)
	}
}

// TestPruneInterrupted: SIGINT to a running prune ends it between batches,
// with a summary that says so, and status 1: the table is not clean yet.
func TestPruneInterrupted(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sessions.db")
	mustRun(t, "migrate", "up", "--db", path)
	seed(t, path, 500)
	cmd := exec.Command(binary, "prune", "--db", path, "--batch", "5", "--pause", "20ms", "--progress")
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	first := make([]byte, 1)
	if _, err := stdout.Read(first); err != nil { // the first progress report
		t.Fatal(err)
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	rest, _ := io.ReadAll(stdout)
	if err := cmd.Wait(); cmd.ProcessState.ExitCode() != 1 || !strings.Contains(errOut.String(), "run prune again") {
		t.Fatalf("prune after SIGINT: %v, stderr:\n%s\nwant status 1 saying to run it again", err, errOut.String())
	}
	out := string(first) + string(rest)
	if !strings.Contains(out, "stopped after pruning") || strings.Contains(out, "pruned 500") {
		t.Fatalf("prune after SIGINT printed:\n%s", out)
	}
	if s := stats(t, path); s.Expired == 0 || s.Expired%5 != 0 {
		t.Fatalf("after the interrupted prune %d expired sessions are left, want a whole number of batches short of 500", s.Expired)
	}
}

// TestRevokeCountsLiveSessions: revoke reports the owner's live sessions
// it logged out, and revokes the owner's expired rows too, uncounted;
// revoke --all counts the live and the expired rows apart. Stats leaves
// the revoked out of live and expired, and counts them apart; a revoked
// session is not written back by an app's late Commit.
func TestRevokeCountsLiveSessions(t *testing.T) {
	eachBackend(t, func(t *testing.T, db string) {
		mustRun(t, "migrate", "up", "--db", db)
		seed(t, db, 5) // owner 1 has five expired rows and no live one
		if out := mustRun(t, "revoke", "--db", db, "--owner", "1"); !strings.Contains(out, "revoked 0 sessions of owner 1") {
			t.Fatalf("revoke of an owner with only expired rows printed:\n%s", out)
		}
		if out := mustRun(t, "revoke", "--db", db, "--owner", "42"); !strings.Contains(out, "revoked 3 sessions of owner 42") {
			t.Fatalf("revoke printed:\n%s", out)
		}
		if s := stats(t, db); s.Expired != 0 || s.Live != 2 || s.Deleted != 8 {
			t.Fatalf("after the revokes: %d live, %d expired, %d deleted; want 2 (owner 7's, the anonymous one), 0 and 8", s.Live, s.Expired, s.Deleted)
		}
		seedAs(t, db, "again-", 4) // five more live sessions, four expired rows
		out := mustRun(t, "revoke", "--db", db, "--all")
		if !strings.Contains(out, "revoked every session: 7 live sessions deleted") || !strings.Contains(out, "(and 4 expired rows)") {
			t.Fatalf("revoke --all printed:\n%s", out)
		}
		if s := stats(t, db); s.Expired != 0 || s.Live != 0 || s.Deleted != 19 {
			t.Fatalf("after revoke --all: %d live, %d expired, %d deleted; want 0, 0 and 19", s.Live, s.Expired, s.Deleted)
		}
		seed(t, db, 0) // an app's requests that were running, ending now
		if s := stats(t, db); s.Live != 0 {
			t.Fatalf("after late Commits of revoked sessions %d are live again, want 0", s.Live)
		}
	})
}

// TestKeywordValueDSN: a PostgreSQL connection string in libpq's
// keyword/value form reaches PostgreSQL (never a SQLite file of that name),
// and messages name the database without its password.
func TestKeywordValueDSN(t *testing.T) {
	schema := pgtest.Schema(t)
	cfg, err := pgconn.ParseConfig(pgtest.URL(t, schema))
	if err != nil {
		t.Fatal(err)
	}
	quote := func(v string) string { return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(v) + "'" }
	dsn := fmt.Sprintf("host=%s port=%d user=%s dbname=%s search_path=%s", quote(cfg.Host), cfg.Port, quote(cfg.User), quote(cfg.Database), schema)
	if cfg.Password != "" {
		dsn += " password=" + quote(cfg.Password)
	}
	out := mustRun(t, "migrate", "up", "--postgres", dsn)
	want := fmt.Sprintf("PostgreSQL at %s@%s:%d/%s", cfg.User, cfg.Host, cfg.Port, cfg.Database)
	if !strings.HasPrefix(out, want) || strings.Contains(out, "SQLite") {
		t.Fatalf("migrate up over %q printed:\n%s\nwant it to start %q", dsn, out, want)
	}
	if cfg.Password != "" && strings.Contains(out, cfg.Password) {
		t.Fatal("migrate up printed the password")
	}
	if _, err := os.Stat(dsn); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a file named after the connection string: %v", err)
	}
	var st tableStats
	if err := json.Unmarshal([]byte(mustRun(t, "stats", "--postgres", dsn, "--json")), &st); err != nil || st.Live != 0 || !st.OwnerIndex {
		t.Fatalf("stats over the keyword/value string: %+v, %v", st, err)
	}
	if s := stats(t, pgtest.URL(t, schema)); s.Live != 0 || !s.OwnerIndex {
		t.Fatalf("stats over the keyword/value string: %+v", s)
	}
}

// TestMisplacedConnectionStringHidesThePassword: a connection string given
// where no connection string goes (an action, an extra argument, another
// flag's value, the command itself) is never repeated in the usage error.
func TestMisplacedConnectionStringHidesThePassword(t *testing.T) {
	const url, kv = "postgres://app:hunter2@db/app", "password=hunter2"
	for _, c := range []struct {
		env  string
		args []string
		says string
	}{
		{"", []string{"migrate", "up", "--db", "x.db", url}, "is one too many"},
		{url, []string{"migrate", url}, "unknown migrate action; say up"},
		{url, []string{"migrate", "up", url}, "is one too many"},
		{"", []string{"migrate", "up", "--db", "x.db", kv, "dbname=app"}, "is one too many"},
		{"", []string{"migrate", "--db", "x.db", "up", "--table=" + url}, "--table was not read as a flag"},
		{"", []string{"migrate", "--db", "x.db", "up", "--" + url}, "a flag was not read as a flag"},
		{"", []string{"stats", "--db", "x.db", "--top", url}, "invalid value for flag -top"},
		{"", []string{"prune", "--db", "x.db", "--batch", kv}, "invalid value for flag -batch"},
		{"", []string{url}, "unknown command"},
	} {
		status, out, errOut := cliWithEnv(t, c.env, c.args...)
		if status != 2 || !strings.Contains(errOut, c.says) || strings.Contains(out+errOut, "hunter2") {
			t.Errorf("DATABASE_URL=%q sessionsql %q: status %d\n%s%s\nwant status 2 saying %q, without the password", c.env, c.args, status, out, errOut, c.says)
		}
	}
	// A word is still quoted, to help.
	if _, _, errOut := cli(t, "vacuum"); !strings.Contains(errOut, `unknown command "vacuum"`) {
		t.Errorf("sessionsql vacuum said:\n%s\nwant it to name the command", errOut)
	}
}

// TestDatabaseNameWithAt: a database whose name holds an "@" is reached by
// a URL that writes it %40, and named as it is; written as "@" in the URL
// it is refused (status 2), since pgx reads a password with an unencoded
// "/" and "@" the same way.
func TestDatabaseNameWithAt(t *testing.T) {
	admin := pgtest.Admin(t)
	name := "sessions@" + strings.TrimPrefix(pgtest.Schema(t), "t_")
	ctx := context.Background()
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec(context.Background(), "DROP DATABASE "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(backends["postgres"](t))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Del("search_path") // the new database has no such schema
	u.RawQuery = q.Encode()
	u.Path, u.RawPath = "/"+name, "/"+strings.ReplaceAll(name, "@", "%40")
	encoded := u.String()
	if !strings.Contains(encoded, "/sessions%40") {
		t.Fatalf("the URL %q does not encode the database's \"@\"", encoded)
	}
	out := mustRun(t, "migrate", "up", "--db", encoded)
	if want := "/" + name; !strings.Contains(out, want) {
		t.Fatalf("migrate up printed:\n%s\nwant it to name the database %q", out, want)
	}
	if s := stats(t, encoded); !s.OwnerIndex {
		t.Fatalf("stats over the migrated database: %+v", s)
	}

	raw := strings.Replace(encoded, "%40", "@", 1)
	status, out, errOut := cli(t, "migrate", "up", "--db", raw)
	if status != 2 || !strings.Contains(errOut, `in a database name, "@" as %40`) {
		t.Fatalf("migrate up --db %q: status %d\n%s%s\nwant status 2 saying to write the \"@\" as %%40", raw, status, out, errOut)
	}
}

// TestPasswordNeverPrinted: every command against a PostgreSQL URL with a
// password prints what it did, naming the database, without the password.
func TestPasswordNeverPrinted(t *testing.T) {
	u, err := url.Parse(backends["postgres"](t))
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(u.User.Username(), "hunter2") // the test server trusts every password
	db := u.String()
	for _, args := range [][]string{
		{"migrate", "up"}, {"migrate", "status"}, {"stats"}, {"stats", "--json"},
		{"prune"}, {"revoke", "--owner", "42"}, {"revoke", "--all"},
	} {
		status, out, errOut := cli(t, append(args, "--db", db)...)
		if status != 0 || !strings.Contains(out+errOut, "PostgreSQL at") && args[0] != "stats" || strings.Contains(out+errOut, "hunter2") {
			t.Errorf("%v: status %d, output:\n%s%s\nwant status 0 and no password", args, status, out, errOut)
		}
	}
}
