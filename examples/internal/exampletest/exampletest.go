// Package exampletest runs the minimal example programs the way a reader
// does: build, start, put and get a session value over HTTP, stop with
// SIGINT, and check that the program ends cleanly.
package exampletest

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Run builds the example in the current directory, starts it in a fresh
// working directory with env added, and drives it: /put, then /get in the
// same cookie jar must answer the value /put stored; a SIGINT must end it
// with status 0. It returns the working directory.
func Run(t *testing.T, env ...string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "example")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a hang guard
	defer cancel()
	dir := t.TempDir()
	cmd := exec.CommandContext(ctx, bin)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), append([]string{"ADDR=127.0.0.1:0"}, env...)...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(stderr)
	base := ""
	for base == "" && lines.Scan() {
		if _, url, ok := strings.Cut(lines.Text(), "listening on "); ok {
			base = url
		}
	}
	if base == "" {
		cmd.Process.Kill()
		t.Fatalf("the example never said where it listens: %v", cmd.Wait())
	}
	go io.Copy(io.Discard, stderr)

	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	get := func(path string) string {
		t.Helper()
		resp, err := client.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %s %s", path, resp.Status, body)
		}
		return string(body)
	}
	get("/put")
	if got := get("/get"); strings.TrimSpace(got) != "Hello from a session!" {
		t.Fatalf("/get after /put = %q", got)
	}

	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("after SIGINT the example exited with %v, want status 0", err)
	}
	return dir
}
