// Package pgtest gives tests a throwaway PostgreSQL without anything set up
// by hand.
//
// When SESSIONSQL_TEST_DATABASE_URL is set, tests use that server. Otherwise
// the first test that asks starts a private cluster from the initdb and
// postgres binaries on PATH or in the Debian package's directory
// (/usr/lib/postgresql/<version>/bin), in a temporary directory, listening
// on a unix socket only (as the "postgres" user when the tests run as root).
// The cluster lives for one test binary: Main stops it when the tests end,
// and if the binary dies the kernel stops it too.
//
// Every test gets a schema of its own (Pool), so tests run in parallel.
// Without any PostgreSQL the tests skip with one line, unless the CI
// environment variable is set: then they fail.
package pgtest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// EnvURL names the environment variable that points the tests at an
// existing server instead of a throwaway one.
const EnvURL = "SESSIONSQL_TEST_DATABASE_URL"

// Server is a running throwaway cluster.
type Server struct {
	bin     string // directory of initdb and postgres
	dir     string // temporary root: data/, socket, owner.pid
	attr    *syscall.SysProcAttr
	cmd     *exec.Cmd
	exited  chan struct{} // closed when the postmaster has exited
	opts    Options
	logMu   sync.Mutex
	logTail []string
}

// dataDir and socketDir live inside the temporary root.
func (s *Server) dataDir() string   { return filepath.Join(s.dir, "data") }
func (s *Server) socketDir() string { return s.dir }

// DataDir is the cluster's data directory, where its WAL is written.
func (s *Server) DataDir() string { return s.dataDir() }

// URL returns a connection string for database name on the server, over
// its unix socket.
func (s *Server) URL(database string) string {
	return fmt.Sprintf("postgres://postgres@/%s?host=%s&port=%d&sslmode=disable", database, s.socketDir(), s.port())
}

// port is the server's port: Options.TCPPort, or 5432 on its socket alone.
func (s *Server) port() int {
	if s.opts.TCPPort != 0 {
		return s.opts.TCPPort
	}
	return 5432
}

// findBinaries returns the directory holding initdb and postgres, or an
// error saying where it looked.
func findBinaries() (string, error) {
	var candidates []string
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			candidates = append(candidates, filepath.Dir(real))
		}
	}
	debian, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(debian, func(a, b string) int { return versionOf(b) - versionOf(a) })
	candidates = append(candidates, debian...)
	for _, dir := range candidates {
		if isExecutable(filepath.Join(dir, "initdb")) && isExecutable(filepath.Join(dir, "postgres")) {
			return dir, nil
		}
	}
	return "", errors.New("no initdb/postgres on PATH or in /usr/lib/postgresql/*/bin (install the postgresql package, or set " + EnvURL + ")")
}

func versionOf(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// Options tune a throwaway cluster.
type Options struct {
	// Durable keeps PostgreSQL's crash-safe defaults (fsync, synchronous
	// commit, full page writes), for benchmarks. Tests leave them off.
	Durable bool
	// Settings are more server settings, "name=value" each (as for
	// postgres -c), such as "shared_buffers=4GB".
	Settings []string
	// TCPPort, when set, makes the server listen on 127.0.0.1 at that port
	// too (and its socket use that port number). Zero: the unix socket
	// alone, at 5432.
	TCPPort int
}

// Start creates a cluster in a new temporary directory and starts it,
// returning once it accepts connections on its unix socket. Stop it with
// Stop. Tests use Pool and friends instead, which start one on demand.
func Start(ctx context.Context, opts Options) (*Server, error) {
	bin, err := findBinaries()
	if err != nil {
		return nil, err
	}
	attr, chown, err := platform()
	if err != nil {
		return nil, err
	}
	s, err := newServer(bin, attr, chown, opts)
	if err != nil {
		return nil, err
	}
	if err := s.initdb(ctx); err != nil {
		s.removeDir()
		return nil, err
	}
	if err := s.start(ctx, opts); err != nil {
		s.removeDir()
		return nil, err
	}
	return s, nil
}

// newServer makes the temporary directory of a server not started yet.
func newServer(bin string, attr *syscall.SysProcAttr, chown func(string) error, opts Options) (*Server, error) {
	base := baseDir()
	removeStale(base, dirPrefix)
	dir, err := os.MkdirTemp(base, dirPrefix)
	if err != nil {
		return nil, err
	}
	s := &Server{bin: bin, dir: dir, attr: attr, exited: make(chan struct{}), opts: opts}
	if err := os.WriteFile(filepath.Join(dir, ownerFile), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		s.removeDir()
		return nil, err
	}
	if err := chown(dir); err != nil {
		s.removeDir()
		return nil, err
	}
	return s, nil
}

func (s *Server) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, filepath.Join(s.bin, name), args...)
	cmd.Dir = s.dir
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	attr := *s.attr
	cmd.SysProcAttr = &attr
	return cmd
}

func (s *Server) initdb(ctx context.Context) error {
	out, err := s.command(ctx, "initdb", "-D", s.dataDir(), "-U", "postgres", "-A", "trust",
		"-E", "UTF8", "--locale=C", "--no-sync").CombinedOutput()
	if err != nil {
		return fmt.Errorf("initdb: %w\n%s", err, out)
	}
	return nil
}

// start runs the postmaster as a child process and waits for its "ready to
// accept connections" log line.
func (s *Server) start(ctx context.Context, opts Options) error {
	listen := ""
	if opts.TCPPort != 0 {
		listen = "127.0.0.1"
	}
	args := []string{
		"-D", s.dataDir(),
		"-k", s.socketDir(),
		"-c", "listen_addresses=" + listen,
		"-p", strconv.Itoa(s.port()),
		"-c", "max_connections=400",
		"-c", "logging_collector=off",
		"-c", "log_min_messages=warning",
		"-c", "log_min_error_statement=panic",
	}
	if !opts.Durable {
		args = append(args, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	}
	for _, setting := range opts.Settings {
		args = append(args, "-c", setting)
	}
	cmd := s.command(context.Background(), "postgres", args...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	s.cmd = cmd
	started := make(chan error, 1)
	ready := make(chan struct{})
	go func() {
		// The parent-death signal belongs to the thread that forks the
		// postmaster, so that thread must live as long as the server: this
		// goroutine keeps it until the server has exited.
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		if err := cmd.Start(); err != nil {
			started <- fmt.Errorf("start postgres: %w", err)
			close(s.exited)
			return
		}
		started <- nil
		s.readLog(stderr, ready)
	}()
	if err := <-started; err != nil {
		return err
	}

	select {
	case <-ready:
		return nil
	case <-s.exited:
		return fmt.Errorf("postgres exited during start:\n%s", s.tail())
	case <-ctx.Done():
		s.Stop()
		return fmt.Errorf("postgres did not become ready: %w\n%s", ctx.Err(), s.tail())
	}
}

// readLog keeps the last lines of the server log, signals ready when the
// server says so, and marks the server exited when the log ends.
func (s *Server) readLog(r io.Reader, ready chan<- struct{}) {
	defer func() {
		_ = s.cmd.Wait()
		close(s.exited)
	}()
	sc := bufio.NewScanner(r)
	signalled := false
	for sc.Scan() {
		line := sc.Text()
		s.logMu.Lock()
		s.logTail = append(s.logTail, line)
		if len(s.logTail) > 50 {
			s.logTail = s.logTail[1:]
		}
		s.logMu.Unlock()
		if !signalled && strings.Contains(line, "ready to accept") { // connections, or read-only ones (a standby)
			signalled = true
			close(ready)
		}
	}
	_, _ = io.Copy(io.Discard, r)
}

func (s *Server) tail() string {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	return strings.Join(s.logTail, "\n")
}

// Stop shuts the server down (fast mode, then immediate if it lingers),
// waits for it to exit and removes its directory.
func (s *Server) Stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		_ = interrupt(s.cmd.Process)
		select {
		case <-s.exited:
		case <-time.After(30 * time.Second):
			_ = kill(s.cmd.Process)
			<-s.exited
		}
	}
	s.removeDir()
}

func (s *Server) removeDir() { _ = os.RemoveAll(s.dir) }

// Restart stops the server (fast shutdown: every connection is dropped)
// and starts it again on the same data, returning once it accepts
// connections. Between the two, connections are refused.
func (s *Server) Restart(ctx context.Context) error {
	if s.cmd != nil && s.cmd.Process != nil {
		_ = interrupt(s.cmd.Process)
		<-s.exited
	}
	s.exited = make(chan struct{})
	return s.start(ctx, s.opts)
}

const (
	dirPrefix = "sessionsql-pg-"
	ownerFile = "owner.pid" // pid of the test binary that made the directory
)

// baseDir is where throwaway clusters live: the temp directory, unless it
// is unreachable for the postgres user (running as root) or too deep for a
// unix socket path (about 107 bytes), then /tmp.
func baseDir() string {
	base := os.TempDir()
	if os.Geteuid() == 0 || len(base) > 60 {
		base = "/tmp"
	}
	return base
}

// removeStale deletes the directories named prefix* (clusters', or
// PgBouncers') left by test binaries that were killed before they could
// clean up: those whose owner and postmaster, if any, are both gone.
func removeStale(base, prefix string) {
	dirs, _ := filepath.Glob(filepath.Join(base, prefix+"*"))
	for _, dir := range dirs {
		owner, err := readPid(filepath.Join(dir, ownerFile))
		if err != nil || alive(owner) {
			continue // not ours to judge, or still in use
		}
		if pm, err := readPid(filepath.Join(dir, "data", "postmaster.pid")); err == nil && alive(pm) {
			continue
		}
		_ = os.RemoveAll(dir)
	}
}

// readPid reads the number on the first line of a pid file.
func readPid(path string) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	line, _, _ := strings.Cut(string(b), "\n")
	return strconv.Atoi(strings.TrimSpace(line))
}
