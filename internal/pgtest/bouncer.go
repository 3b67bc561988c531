package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// The pool modes of PgBouncer the tests run behind.
const (
	Transaction = "transaction"
	Session     = "session"
)

// bouncerDirPrefix names the temporary directories of PgBouncers.
const bouncerDirPrefix = "sessionsql-pgbouncer-"

// OneServerConnection is a database name on every PgBouncer that reaches
// the test server's admin database (the one BouncerURL's "postgres" does)
// over a single server connection, which all its clients share: where
// pgx's exec modes that keep prepared statements collide at once.
const OneServerConnection = "one_server_connection"

// Bouncer is a PgBouncer in front of the test server, listening on
// 127.0.0.1, in one pool mode.
type Bouncer struct {
	cmd    *exec.Cmd
	dir    string
	addr   string // host:port
	exited chan struct{}
	out    *tailWriter
}

var (
	bouncersMu sync.Mutex
	bouncers   = map[string]*Bouncer{} // by pool mode
)

// BouncerURL returns a connection string for database on a PgBouncer in
// front of the test server, in pool mode (Transaction or Session), with
// pgx's exec mode execMode ("" for pgx's default). The PgBouncer starts on
// first use, once per test binary and mode, and stops with the server (see
// M). PgBouncer forwards no search_path: tests reach their own tables by a
// schema-qualified name, or through a database of their own (Database).
// Without a pgbouncer binary it skips t, or fails it in CI.
func BouncerURL(t testing.TB, mode, database, execMode string) string {
	t.Helper()
	ensure(t)
	bouncersMu.Lock()
	defer bouncersMu.Unlock()
	b := bouncers[mode]
	if b == nil {
		var err error
		if b, err = startBouncer(mode); err != nil {
			if InCI() {
				t.Fatalf("pgtest: PgBouncer is required in CI: %v", err)
			}
			t.Skipf("pgtest: skipping, no PgBouncer: %v", err)
		}
		bouncers[mode] = b
	}
	q := url.Values{"sslmode": {"disable"}}
	if execMode != "" {
		q.Set("default_query_exec_mode", execMode)
	}
	return fmt.Sprintf("postgres://postgres@%s/%s?%s", b.addr, database, q.Encode())
}

// Database creates a database of its own for t, dropped with everything
// in it when t ends, and returns its name.
func Database(t testing.TB) string {
	t.Helper()
	ensure(t)
	name := newName("d_")
	ctx := context.Background()
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() {
		if admin == nil {
			return
		}
		if _, err := admin.Exec(context.Background(), "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: drop database %s: %v", name, err)
		}
	})
	return name
}

// findBouncer returns the pgbouncer binary: on PATH, or where Debian's
// package puts it.
func findBouncer() (string, error) {
	if p, err := exec.LookPath("pgbouncer"); err == nil {
		return p, nil
	}
	if isExecutable("/usr/sbin/pgbouncer") {
		return "/usr/sbin/pgbouncer", nil
	}
	return "", errors.New("no pgbouncer on PATH or in /usr/sbin (install the pgbouncer package)")
}

// startBouncer starts a PgBouncer in pool mode in front of the admin
// database's server, and returns once it accepts connections.
func startBouncer(mode string) (*Bouncer, error) {
	bin, err := findBouncer()
	if err != nil {
		return nil, err
	}
	server, err := pgconn.ParseConfig(adminURL)
	if err != nil {
		return nil, err
	}
	attr, chown, err := platform()
	if err != nil {
		return nil, err
	}
	removeStale(baseDir(), bouncerDirPrefix)
	dir, err := os.MkdirTemp(baseDir(), bouncerDirPrefix)
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	b := &Bouncer{dir: dir, addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), exited: make(chan struct{}), out: &tailWriter{}}
	// PgBouncer logs in to the server as the admin URL's user, with its
	// password if it has one (a server of SESSIONSQL_TEST_DATABASE_URL's),
	// whoever its client is.
	login := " user=" + server.User
	if server.Password != "" {
		login += " password='" + strings.ReplaceAll(server.Password, "'", "''") + "'" // PgBouncer doubles a quote, as libpq does not
	}
	// Server connections are let go of soon after use, so that the
	// databases tests drop leave none behind.
	config := fmt.Sprintf(`[databases]
%s = host=%s port=%d%s dbname=%s pool_size=1
* = host=%s port=%d%s

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = %d
unix_socket_dir =
auth_type = trust
auth_file = %s
pool_mode = %s
max_client_conn = 2000
default_pool_size = 20
server_idle_timeout = 5
server_lifetime = 60
autodb_idle_timeout = 10
ignore_startup_parameters = extra_float_digits
admin_users = postgres
`, OneServerConnection, server.Host, server.Port, login, server.Database, server.Host, server.Port, login, port, filepath.Join(dir, "users.txt"), mode)
	files := map[string]string{"pgbouncer.ini": config, "users.txt": `"postgres" ""` + "\n", ownerFile: strconv.Itoa(os.Getpid())}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	if err := chown(dir); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	b.cmd = exec.Command(bin, filepath.Join(dir, "pgbouncer.ini"))
	b.cmd.Dir = dir
	a := *attr
	b.cmd.SysProcAttr = &a
	b.cmd.Stdout, b.cmd.Stderr = b.out, b.out
	started := make(chan error, 1)
	go func() {
		// The parent-death signal belongs to the thread that forks: keep
		// it for as long as PgBouncer runs (see Server.start).
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		if err := b.cmd.Start(); err != nil {
			started <- err
			close(b.exited)
			return
		}
		started <- nil
		_ = b.cmd.Wait()
		close(b.exited)
	}()
	if err := <-started; err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start pgbouncer: %w", err)
	}
	if err := b.waitReady(30 * time.Second); err != nil {
		b.Stop()
		return nil, err
	}
	return b, nil
}

// waitReady returns once PgBouncer accepts TCP connections, or fails when
// it exits or within timeout.
func (b *Bouncer) waitReady(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		conn, err := net.DialTimeout("tcp", b.addr, time.Second)
		if err == nil {
			conn.Close()
			return nil
		}
		select {
		case <-b.exited:
			return fmt.Errorf("pgbouncer exited during start:\n%s", b.out.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("pgbouncer did not listen on %s within %v:\n%s", b.addr, timeout, b.out.String())
		}
	}
}

// Stop ends PgBouncer (SIGTERM, its immediate shutdown: it closes every
// connection at once, where SIGINT would wait for its clients), waits for
// it and removes its directory.
func (b *Bouncer) Stop() {
	if b.cmd.Process != nil {
		_ = b.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-b.exited:
		case <-time.After(10 * time.Second):
			_ = b.cmd.Process.Kill()
			<-b.exited
		}
	}
	os.RemoveAll(b.dir)
}

// stopBouncers stops every PgBouncer started.
func stopBouncers() {
	bouncersMu.Lock()
	defer bouncersMu.Unlock()
	for mode, b := range bouncers {
		b.Stop()
		delete(bouncers, mode)
	}
}

// FreePort returns a TCP port on 127.0.0.1 nothing listens on, for a
// server of t's own (see Options.TCPPort).
func FreePort(t testing.TB) int {
	t.Helper()
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	return port
}

// freePort returns a TCP port on 127.0.0.1 nothing listens on: one the
// kernel just handed out, let go of again.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// tailWriter keeps the last lines written to it.
type tailWriter struct {
	mu    sync.Mutex
	lines []string
}

func (w *tailWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.lines = append(w.lines, strings.Split(strings.TrimRight(string(p), "\n"), "\n")...)
	if len(w.lines) > 50 {
		w.lines = w.lines[len(w.lines)-50:]
	}
	return len(p), nil
}

func (w *tailWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return strings.Join(w.lines, "\n")
}

// DatabaseURL returns a connection string for database on the test server
// itself, not through a PgBouncer.
func DatabaseURL(t testing.TB, database string) string {
	t.Helper()
	ensure(t)
	u, err := url.Parse(adminURL)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	u.Path = "/" + database
	return u.String()
}
