package migrations_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sessionsql/sessionsql/migrations"
)

// TestLockHeldGivesUp: a migration whose lock another instance holds gives
// up after the lock wait, even on a context without a deadline, with an
// error that names the holder and says what to do; once the lock is
// released, it runs. Up and Down alike.
func TestLockHeldGivesUp(t *testing.T) {
	defer migrations.SetLockWait(1500 * time.Millisecond)()
	for name, op := range map[string]func(ctx context.Context, db *sql.DB) error{
		"Up":   func(ctx context.Context, db *sql.DB) error { return migrations.Up(ctx, db, migrations.Postgres) },
		"Down": func(ctx context.Context, db *sql.DB) error { return migrations.Down(ctx, db, migrations.Postgres) },
	} {
		t.Run(name, func(t *testing.T) {
			db, _ := openPostgres(t)
			if name == "Down" {
				mustUp(t, db, migrations.Postgres)
			}
			release, err := migrations.HoldLock(ctx(), db)
			if err != nil {
				t.Fatal(err)
			}
			var holder string
			if err := db.QueryRowContext(ctx(), `SELECT locked_by FROM `+migrations.LockTable+` WHERE locked`).Scan(&holder); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			err = op(context.Background(), db)
			if !errors.Is(err, migrations.ErrLocked) || !strings.Contains(err.Error(), holder) || !strings.Contains(err.Error(), "let it finish and try again") {
				t.Fatalf("%s while another instance holds the lock: %v; want ErrLocked naming %s and saying what to do", name, err, holder)
			}
			if waited := time.Since(start); waited > time.Minute {
				t.Fatalf("%s gave up after %v; the lock wait is 1.5s", name, waited) // a hang guard, not a timing check
			}
			if err := release(); err != nil {
				t.Fatal(err)
			}
			if err := op(context.Background(), db); err != nil {
				t.Fatalf("%s after the holder released the lock: %v", name, err)
			}
		})
	}
}

// TestDeadHoldersLockIsTaken: the lock of an instance that died while it
// held it (its lease run out, never renewed) is taken over at once.
func TestDeadHoldersLockIsTaken(t *testing.T) {
	defer migrations.SetLockWait(30 * time.Second)()
	db, _ := openPostgres(t)
	release, err := migrations.HoldLock(ctx(), db)
	if err != nil {
		t.Fatal(err)
	}
	// The holder dies: its row stays, with a lease that has run out.
	if _, err := db.ExecContext(ctx(), `UPDATE `+migrations.LockTable+` SET locked_by = 'dead-host-1-0000', lease_expires_at = now() - interval '1 second'`); err != nil {
		t.Fatal(err)
	}
	mustUp(t, db, migrations.Postgres)
	if err := release(); err == nil {
		t.Fatal("the dead holder's release succeeded after its lock was taken over")
	}
	var locked bool
	if err := db.QueryRowContext(ctx(), `SELECT locked FROM `+migrations.LockTable).Scan(&locked); err != nil || locked {
		t.Fatalf("after Up the lock is held: %v (%v)", locked, err)
	}
}
