package migrations_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/sessionsql/sessionsql/internal/pgtest"
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
			if msg := err.Error(); strings.Count(msg, "migrations:") != 1 || strings.Contains(msg, "failed to initialize") {
				t.Fatalf("%s while another instance holds the lock: %q; want one \"migrations:\" and none of goose's wrapping", name, msg)
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

// TestLockFailureThatWaitingCannotCure: an error of taking the lock that
// is neither the lock being held nor a broken connection (here a trigger
// that refuses every write to the lock table, as a missing privilege or a
// read-only server would) fails the migration at the first try, saying
// so, instead of trying again for the whole lock wait; and it is said as
// it is, not as ErrLocked, even while another instance holds the lock.
func TestLockFailureThatWaitingCannotCure(t *testing.T) {
	defer migrations.SetLockWait(5 * time.Second)()
	db, _ := openPostgres(t)
	release, err := migrations.HoldLock(ctx(), db) // creates the lock table
	if err != nil {
		t.Fatal(err)
	}
	if err := release(); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx(), `UPDATE `+migrations.LockTable+` SET locked = true, locked_by = 'other-host-1-0000', locked_at = now(), lease_expires_at = now() + interval '1 hour'`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx(), `
		CREATE SEQUENCE tries;
		CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN PERFORM nextval('tries'); RAISE EXCEPTION 'refused by the test'; END $$;
		CREATE TRIGGER refuse BEFORE INSERT OR UPDATE ON `+migrations.LockTable+` FOR EACH ROW EXECUTE FUNCTION refuse()`); err != nil {
		t.Fatal(err)
	}
	err = migrations.Up(ctx(), db, migrations.Postgres)
	if err == nil || errors.Is(err, migrations.ErrLocked) || !strings.Contains(err.Error(), "refused by the test") {
		t.Fatalf("Up when writing the lock fails: %v; want the failure itself, not ErrLocked", err)
	}
	var tries int
	if err := db.QueryRowContext(ctx(), `SELECT last_value FROM tries`).Scan(&tries); err != nil {
		t.Fatal(err)
	}
	if tries != 1 {
		t.Fatalf("the lock was tried %d times; want once, as trying again cannot help", tries)
	}
}

// TestUpOnOneConnectionSaysSo: on PostgreSQL a *sql.DB limited to one open
// connection cannot hold the lock and migrate (or read the version table)
// at once; Up, Down, Version and List say so instead of waiting forever
// for a second connection.
func TestUpOnOneConnectionSaysSo(t *testing.T) {
	db, _ := openPostgres(t)
	db.SetMaxOpenConns(1)
	c, cancel := context.WithTimeout(ctx(), time.Minute) // a hang guard
	defer cancel()
	for name, op := range map[string]func(context.Context, *sql.DB, migrations.Dialect) error{
		"Up":   migrations.Up,
		"Down": migrations.Down,
		"Version": func(c context.Context, db *sql.DB, d migrations.Dialect) error {
			_, err := migrations.Version(c, db, d)
			return err
		},
		"List": func(c context.Context, db *sql.DB, d migrations.Dialect) error {
			_, err := migrations.List(c, db, d)
			return err
		},
	} {
		if err := op(c, db, migrations.Postgres); err == nil || !strings.Contains(err.Error(), "SetMaxOpenConns(1)") {
			t.Errorf("%s over one connection: %v; want an error saying it needs two", name, err)
		}
	}
}

// TestUpOverAPoolOfOneSaysSo: a *sql.DB over a pgxpool of one connection
// (which database/sql sees as unlimited) cannot hold the lock and migrate
// at once either: Up fails within the lock wait, saying it needs a second
// connection, instead of waiting forever.
func TestUpOverAPoolOfOneSaysSo(t *testing.T) {
	defer migrations.SetLockWait(time.Second)()
	_, schema := pgtest.PoolAndSchema(t)
	cfg, err := pgxpool.ParseConfig(pgtest.URL(t, schema))
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = 1
	pool, err := pgxpool.NewWithConfig(ctx(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	c, cancel := context.WithTimeout(ctx(), time.Minute) // a hang guard
	defer cancel()
	if err := migrations.Up(c, db, migrations.Postgres); err == nil || errors.Is(err, migrations.ErrLocked) || !strings.Contains(err.Error(), "no second connection") {
		t.Fatalf("Up over a pool of one connection: %v; want an error saying it needs a second", err)
	}
}
