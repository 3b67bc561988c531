package sessionsql_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/sessionsql/sessionsql"
)

func TestMissingTableSaysWhatToDo(t *testing.T) {
	cause := errors.New("no such table")
	const how = "run the test migrations"
	for _, c := range []struct{ table, says string }{
		{"sessions", "apply the migrations first (" + how + ")"},
		{"app.sessions", "apply them where that is app"},
		{"app_sessions", `the migrations create only "sessions": create app_sessions yourself`},
		{"app.other", `the migrations create only "sessions": create app.other yourself`},
	} {
		got := sessionsql.MissingTable(c.table, how, cause)
		if !errors.Is(got, sessionsql.ErrNoTable) || !errors.Is(got, cause) || !strings.Contains(got.Error(), c.says) {
			t.Errorf("MissingTable(%s) = %v, want ErrNoTable and the cause, saying %q", c.table, got, c.says)
		}
	}
	got := sessionsql.MissingColumns("sessions", how, cause)
	if !errors.Is(got, sessionsql.ErrOldSchema) || !errors.Is(got, cause) || !strings.Contains(got.Error(), how) {
		t.Errorf("MissingColumns = %v, want ErrOldSchema and the cause, saying %q", got, how)
	}
}

// plainDriver is a Driver without the owner index.
type plainDriver struct{ sessionsql.Driver }

// TestNewStoreRefusesMisuse: a nil Driver, and the owner index asked of a
// Driver without one, are programming errors said at once.
func TestNewStoreRefusesMisuse(t *testing.T) {
	for name, c := range map[string]struct {
		d    sessionsql.Driver
		cfg  sessionsql.Config
		says string
	}{
		"nil driver":         {nil, sessionsql.Config{}, "the Driver is nil"},
		"owner of no owners": {plainDriver{}, sessionsql.Config{Owner: sessionsql.GobOwner("user_id", "")}, "no OwnerDriver"},
	} {
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), c.says) {
					t.Errorf("%s: NewStore panicked with %v, want %q", name, r, c.says)
				}
			}()
			sessionsql.NewStore(c.d, c.cfg)
		}()
	}
}
