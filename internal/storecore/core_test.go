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
		got := testSchema.MissingTable(name, cause)
		if !errors.Is(got, store.ErrNoTable) || !errors.Is(got, cause) || !strings.Contains(got.Error(), c.says) {
			t.Errorf("MissingTable(%s) = %v, want store.ErrNoTable and the cause, saying %q", c.table, got, c.says)
		}
	}
	if got := testSchema.MissingTable(sqlident.Name{Table: "sessions"}, cause); !strings.Contains(got.Error(), testSchema.Migrate) {
		t.Errorf("MissingTable(sessions) = %v, want it to say how: %q", got, testSchema.Migrate)
	}
	got := testSchema.MissingColumns(sqlident.Name{Table: "sessions"}, cause)
	if !errors.Is(got, store.ErrOldSchema) || !errors.Is(got, cause) || !strings.Contains(got.Error(), testSchema.Migrate) {
		t.Errorf("MissingColumns = %v, want store.ErrOldSchema and the cause, saying %q", got, testSchema.Migrate)
	}
}

var testSchema = SchemaErrors{Migrate: "run the test migrations"}
