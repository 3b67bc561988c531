package pgtest

import (
	"context"
	"fmt"
	"strconv"
)

// StartReplica takes a base backup of primary (over its unix socket) into
// a new server and starts it as a hot standby streaming from primary,
// tuned by opts (a TCPPort of its own, say). It returns once the standby
// accepts read-only connections. Stop it with Stop.
func StartReplica(ctx context.Context, primary *Server, opts Options) (*Server, error) {
	_, chown, err := platform()
	if err != nil {
		return nil, err
	}
	s, err := newServer(primary.bin, primary.attr, chown, opts)
	if err != nil {
		return nil, err
	}
	out, err := s.command(ctx, "pg_basebackup", "-D", s.dataDir(), "-h", primary.socketDir(), "-p", strconv.Itoa(primary.port()),
		"-U", "postgres", "-R", "-X", "stream", "--no-sync").CombinedOutput()
	if err != nil {
		s.removeDir()
		return nil, fmt.Errorf("pg_basebackup: %w\n%s", err, out)
	}
	if err := s.start(ctx, opts); err != nil {
		s.removeDir()
		return nil, err
	}
	return s, nil
}

// Promote makes a standby the primary, and returns once it accepts
// writes.
func (s *Server) Promote(ctx context.Context) error {
	out, err := s.command(ctx, "pg_ctl", "promote", "-w", "-D", s.dataDir()).CombinedOutput()
	if err != nil {
		return fmt.Errorf("pg_ctl promote: %w\n%s", err, out)
	}
	return nil
}

// Crash stops the server at once, as a crash would (an immediate
// shutdown: no checkpoint, every connection dropped), and waits for it to
// exit. Its directory stays until Stop.
func (s *Server) Crash() {
	if s.cmd != nil && s.cmd.Process != nil {
		_ = kill(s.cmd.Process)
		<-s.exited
	}
}
