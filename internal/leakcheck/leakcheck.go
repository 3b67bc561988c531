// Package leakcheck fails a test binary whose tests leave goroutines
// running: what go.uber.org/goleak's VerifyTestMain does, for the library
// module, whose go.mod requires only what importers need (a test-only
// requirement would still enter every importer's module graph).
//
//	func TestMain(m *testing.M) { leakcheck.VerifyTestMain(m) }
package leakcheck

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"
)

// Option changes what VerifyTestMain does.
type Option func(*config)

type config struct {
	ignoreTop []string
	exit      func(code int)
}

// IgnoreTopFunction ignores goroutines whose stack has fn on top (a
// package path and function name, as a stack trace prints it), such as
// a library's cleanup loop that is not the tests' to stop.
func IgnoreTopFunction(fn string) Option {
	return func(c *config) { c.ignoreTop = append(c.ignoreTop, fn) }
}

// Cleanup calls fn with the exit code instead of os.Exit, for a TestMain
// with work to do after the check; fn must exit.
func Cleanup(fn func(code int)) Option {
	return func(c *config) { c.exit = fn }
}

// VerifyTestMain runs the tests and, when they pass, waits up to about 2
// seconds for every goroutine but the testing package's, the runtime's and
// the ignored ones to end; those still running are printed and fail the
// binary. It then exits with the tests' code.
func VerifyTestMain(m interface{ Run() int }, opts ...Option) {
	c := config{exit: os.Exit}
	for _, o := range opts {
		o(&c)
	}
	code := m.Run()
	if code == 0 {
		if leaked := c.wait(2 * time.Second); leaked != "" {
			fmt.Fprintf(os.Stderr, "leakcheck: goroutines still running after the tests passed:\n\n%s\n", leaked)
			code = 1
		}
	}
	c.exit(code)
}

// wait returns "" once no goroutine of interest runs, or their stacks
// when some still do after patience.
func (c config) wait(patience time.Duration) string {
	deadline := time.Now().Add(patience)
	for pause := time.Millisecond; ; pause = min(2*pause, 100*time.Millisecond) {
		leaked := c.running()
		if len(leaked) == 0 || time.Now().After(deadline) {
			return strings.Join(leaked, "\n\n")
		}
		time.Sleep(pause)
	}
}

// running returns the stacks of the goroutines of interest, all but the
// caller's.
func (c config) running() []string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	stacks := strings.Split(strings.TrimSpace(string(buf)), "\n\n")
	var out []string
	for _, s := range stacks[1:] { // the first is the caller's
		if !c.ignored(s) {
			out = append(out, s)
		}
	}
	return out
}

// ignored reports whether the goroutine of stack s is one the tests may
// leave: the testing package's, os/signal's, the ignored ones.
func (c config) ignored(s string) bool {
	header, frames, _ := strings.Cut(s, "\n")
	top, _, _ := strings.Cut(frames, "\n")
	if i := strings.LastIndex(top, "("); i > 0 {
		top = top[:i]
	}
	switch top {
	case "testing.RunTests", "testing.(*T).Run", "testing.(*T).Parallel", "testing.runFuzzing", "testing.runFuzzTests":
		return strings.Contains(header, "[chan receive")
	case "os/signal.signal_recv", "os/signal.loop":
		return true
	}
	if strings.Contains(frames, "runtime.ensureSigM") || strings.Contains(header, "[syscall") && strings.Contains(frames, "runtime.goexit") {
		return true
	}
	for _, fn := range c.ignoreTop {
		if top == fn {
			return true
		}
	}
	return false
}
