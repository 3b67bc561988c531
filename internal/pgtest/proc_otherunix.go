//go:build unix && !linux

package pgtest

import "syscall"

// setDeathSignal does nothing where the kernel has no parent-death signal;
// Stop still shuts the server down at the end of a normal run.
func setDeathSignal(*syscall.SysProcAttr) {}
