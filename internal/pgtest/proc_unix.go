//go:build unix

package pgtest

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"strconv"
	"syscall"
)

// platform returns how to run PostgreSQL here: as the current user, or as
// the "postgres" user when running as root (PostgreSQL refuses root), with
// the directories it uses handed to that user.
func platform() (attr *syscall.SysProcAttr, chown func(path string) error, err error) {
	attr = &syscall.SysProcAttr{}
	setDeathSignal(attr)
	if os.Geteuid() != 0 {
		return attr, func(string) error { return nil }, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, nil, fmt.Errorf("running as root needs a \"postgres\" user to run PostgreSQL as: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	attr.Credential = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	return attr, func(path string) error { return os.Chown(path, uid, gid) }, nil
}

// alive reports whether a process with this pid exists.
func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// interrupt asks the postmaster for a fast shutdown; kill for an immediate one.
func interrupt(p *os.Process) error { return p.Signal(syscall.SIGINT) }
func kill(p *os.Process) error      { return p.Signal(syscall.SIGQUIT) }
