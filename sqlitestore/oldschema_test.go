package sqlitestore_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sessionsql/sessionsql"
	"github.com/sessionsql/sessionsql/migrations"
	"github.com/sessionsql/sessionsql/sqlitestore"
)

// TestStoreBeforeMigration3: over a caller's *sql.DB whose table lacks
// migration 3 (an app upgraded without migrating), Find, Commit and
// Delete fail with sessionsql.ErrOldSchema, saying to migrate, rather than
// half work.
func TestStoreBeforeMigration3(t *testing.T) {
	db := openMigrated(t, filepath.Join(t.TempDir(), "app.db"))
	ctx := context.Background()
	if err := migrations.DownTo(ctx, db, migrations.SQLite, 2); err != nil {
		t.Fatal(err)
	}
	s, err := sqlitestore.NewWithConfig(db, sqlitestore.Config{Config: sessionsql.Config{CleanupInterval: -1}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, _, findErr := s.FindCtx(ctx, "tok")
	for op, err := range map[string]error{
		"Find":   findErr,
		"Commit": s.CommitCtx(ctx, "tok", []byte("v"), time.Now().Add(time.Hour)),
		"Delete": s.DeleteCtx(ctx, "tok"),
	} {
		if !errors.Is(err, sessionsql.ErrOldSchema) || !strings.Contains(err.Error(), "sqlitestore.Migrate") {
			t.Errorf("%s on a version-2 table = %v, want sessionsql.ErrOldSchema saying to migrate", op, err)
		}
	}
}
