package storecore

import (
	"errors"
	"strings"
	"testing"

	"github.com/sessionsql/sessionsql/internal/sqlident"
	"github.com/sessionsql/sessionsql/store"
)

func TestNoTableSaysWhatToDo(t *testing.T) {
	cause := errors.New("no such table")
	for _, c := range []struct{ table, says string }{
		{"sessions", "apply the migrations first"},
		{"app.sessions", `apply them over a connection where that is app`},
		{"app_sessions", `the migrations create only "sessions": create app_sessions yourself`},
	} {
		name, err := sqlident.Parse(c.table)
		if err != nil {
			t.Fatal(err)
		}
		got := NoTable(name, cause)
		if !errors.Is(got, store.ErrNoTable) || !errors.Is(got, cause) || !strings.Contains(got.Error(), c.says) {
			t.Errorf("NoTable(%s) = %v, want store.ErrNoTable and the cause, saying %q", c.table, got, c.says)
		}
	}
}
