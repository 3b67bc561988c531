//go:build !unix

package pgtest

import (
	"errors"
	"os"
	"syscall"
)

func platform() (*syscall.SysProcAttr, func(string) error, error) {
	return nil, nil, errors.New("a throwaway PostgreSQL needs a unix-like system here; set " + EnvURL + " to use a server of yours")
}

func alive(int) bool                { return true }
func interrupt(p *os.Process) error { return p.Kill() }
func kill(p *os.Process) error      { return p.Kill() }
