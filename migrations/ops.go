package migrations

import (
	"context"
	"database/sql"
	"errors"
	"path"
	"strings"
	"time"

	"github.com/pressly/goose/v3"
)

// Up applies every migration of d that db has not seen yet. It is safe to
// call on every start of every instance: on PostgreSQL concurrent calls
// wait for each other on the lock in LockTable, which works through
// connection poolers in transaction mode, for at most LockWait (then they
// fail with ErrLocked, naming the holder); and a database that already
// holds scs's sessions table keeps its rows. On PostgreSQL db needs two
// connections: the lock's and the migration's.
func Up(ctx context.Context, db *sql.DB, d Dialect) error {
	up := func(p *goose.Provider) error {
		_, err := p.Up(ctx)
		return err
	}
	err := run(db, d, "up", up)
	// SQLite has no lock of ours: another process opening the same file
	// may apply a migration between goose reading the version and running
	// it. The loser's transaction fails (a duplicate column, say) and rolls
	// back, and running Up again carries on from what the winner applied.
	for attempt := 1; d == SQLite && migrationRace(err) && attempt < sqliteUpAttempts; attempt++ {
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(attempt) * 50 * time.Millisecond):
		}
		err = run(db, d, "up", up)
	}
	return err
}

// sqliteUpAttempts bounds how often Up runs on SQLite when an attempt
// loses a race with another process migrating the same file.
const sqliteUpAttempts = 5

// migrationRace recognises the SQLite errors of two processes applying the
// same migration at once: the loser finds the winner's column, index or
// version row already there, or the file locked.
func migrationRace(err error) bool {
	if err == nil {
		return false
	}
	msg := err.Error()
	for _, s := range []string{"duplicate column name", "already exists", "UNIQUE constraint failed", "database is locked", "SQLITE_BUSY"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// UpTo applies the migrations of d up to and including version, for an
// app that upgrades its schema one step at a time.
func UpTo(ctx context.Context, db *sql.DB, d Dialect, version int64) error {
	return run(db, d, "up", func(p *goose.Provider) error {
		_, err := p.UpTo(ctx, version)
		return err
	})
}

// Down rolls back the most recent applied migration of d. Rolling back the
// first migration drops the sessions table and every session in it.
func Down(ctx context.Context, db *sql.DB, d Dialect) error {
	return run(db, d, "down", func(p *goose.Provider) error {
		_, err := p.Down(ctx)
		if errors.Is(err, goose.ErrNoNextVersion) {
			return nil
		}
		return err
	})
}

// DownTo rolls back applied migrations of d until version is the latest one
// applied. DownTo(ctx, db, d, 0) removes the whole schema.
func DownTo(ctx context.Context, db *sql.DB, d Dialect, version int64) error {
	return run(db, d, "down", func(p *goose.Provider) error {
		_, err := p.DownTo(ctx, version)
		return err
	})
}

// Version reports the latest migration of d applied to db (0 when none).
func Version(ctx context.Context, db *sql.DB, d Dialect) (int64, error) {
	var v int64
	err := run(db, d, "version", func(p *goose.Provider) (err error) {
		v, err = p.GetDBVersion(ctx)
		return err
	})
	return v, err
}

// Status describes one migration file and whether it is applied.
type Status struct {
	Version int64
	Name    string // file name, e.g. "00001_create_sessions.sql"
	Applied bool
}

// List reports every migration of d and whether db has it applied, oldest
// first, the same answer `goose status` gives.
func List(ctx context.Context, db *sql.DB, d Dialect) ([]Status, error) {
	var out []Status
	err := run(db, d, "status", func(p *goose.Provider) error {
		st, err := p.Status(ctx)
		if err != nil {
			return err
		}
		for _, s := range st {
			out = append(out, Status{
				Version: s.Source.Version,
				Name:    path.Base(s.Source.Path),
				Applied: s.State == goose.StateApplied,
			})
		}
		return nil
	})
	return out, err
}
