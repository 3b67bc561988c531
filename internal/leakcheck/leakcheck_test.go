package leakcheck

import (
	"strings"
	"testing"
	"time"
)

func blockForever(stop chan struct{}) { <-stop }

// TestFindsALeakAndIgnoresWhatItIsTold: a goroutine left running is found,
// named by its top function, until it is ignored or ends.
func TestFindsALeakAndIgnoresWhatItIsTold(t *testing.T) {
	stop := make(chan struct{})
	go blockForever(stop)
	const name = "github.com/sessionsql/sessionsql/internal/leakcheck.blockForever"
	if leaked := (config{}).wait(50 * time.Millisecond); !strings.Contains(leaked, name) {
		t.Fatalf("a goroutine blocked forever was not reported; got:\n%s", leaked)
	}
	if leaked := (config{ignoreTop: []string{name}}).wait(50 * time.Millisecond); leaked != "" {
		t.Fatalf("an ignored goroutine was reported:\n%s", leaked)
	}
	close(stop)
	if leaked := (config{}).wait(2 * time.Second); leaked != "" {
		t.Fatalf("a goroutine that ended was reported:\n%s", leaked)
	}
}
