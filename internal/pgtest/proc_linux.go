//go:build linux

package pgtest

import "syscall"

// setDeathSignal makes the kernel stop the postmaster (immediate shutdown)
// if the thread that started it dies, so a killed test binary leaves no
// server behind. Start keeps that thread alive for the server's lifetime.
func setDeathSignal(attr *syscall.SysProcAttr) { attr.Pdeathsig = syscall.SIGQUIT }
