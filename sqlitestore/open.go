package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sessionsql/sessionsql"
	"github.com/sessionsql/sessionsql/internal/sqlident"
	"github.com/sessionsql/sessionsql/migrations"

	"modernc.org/sqlite" // also registers the "sqlite" database/sql driver
	sqlite3 "modernc.org/sqlite/lib"
)

const defaultBusyTimeout = 5 * time.Second

// checkpointPages is how many pages the WAL may hold before the writer
// copies them back into the database file itself (SQLite's
// wal_autocheckpoint; its default is 1000), stopping in the middle of a
// commit to do so. The checkpointer does it in the background long before
// (see checkpointer); this is the backstop should it fall behind, and
// bounds the WAL to about 40 MiB.
const checkpointPages = 10_000

// walSizeLimit is the size a checkpoint truncates a bigger WAL file back to
// (SQLite's journal_size_limit): room for checkpointPages and then some.
const walSizeLimit = 64 << 20

// DefaultMmapSize is Config.MmapSize's default: 1 GiB on 64-bit systems,
// where address space is plentiful, 256 MiB elsewhere.
const DefaultMmapSize = (256 << 20) << (2 * (strconv.IntSize / 64))

// Open opens (creating it if needed) the SQLite database file at path,
// applies sessionsql's migrations (which create the table "sessions"; see
// Config.TableName for another) and returns a store that owns the file:
// its Close closes it.
//
// The file is switched to WAL with synchronous=NORMAL: a commit that
// returned survives a crash of the app; a power cut or OS crash can lose
// the last moments' writes, never the file's integrity. Writes go through
// one connection, in groups, and reads through a pool of read-only ones,
// so concurrent goroutines never see "database is locked"; other processes
// using the file are waited for up to Config.BusyTimeout.
//
// path is a file path, taken as it is ("?" and "#" are part of the name);
// a "file:" URI is refused: open one with sql.Open("sqlite", uri) and pass
// the *sql.DB to New. path ":memory:" gives a private in-memory database
// held by one connection, handy in tests; it is gone after Close.
func Open(path string, cfg Config) (*sessionsql.Store, error) {
	st, _, err := open(path, cfg)
	return st, err
}

// open is Open that returns the store's driver too, for the tests.
func open(path string, cfg Config) (*sessionsql.Store, *driver, error) {
	if path == "" {
		return nil, nil, errors.New(`sqlitestore: open: path is empty; pass a file name such as "sessions.db"`)
	}
	if strings.HasPrefix(path, "file:") {
		return nil, nil, fmt.Errorf(`sqlitestore: open %q: Open takes a file path, not a URI (it sets the connection's pragmas itself); pass the path, or open the URI with sql.Open("sqlite", uri) and hand the *sql.DB to New`, path)
	}
	shared := cfg.Config.WithDefaults()
	table, err := sqlident.Parse(shared.TableName)
	if err != nil {
		return nil, nil, fmt.Errorf("sqlitestore: %w", err) // before a file is created
	}
	if cfg.BusyTimeout <= 0 {
		cfg.BusyTimeout = defaultBusyTimeout
	}
	if cfg.MmapSize == 0 {
		cfg.MmapSize = DefaultMmapSize
	}
	if cfg.ReadConns <= 0 {
		cfg.ReadConns = min(maxReadConns, max(minReadConns, readConnsPerProc*runtime.GOMAXPROCS(0)))
	}
	h, err := openHandles(path, cfg)
	if err != nil {
		return nil, nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	d, err := h.driver(ctx, table, shared.Owner != nil, cfg)
	if err != nil {
		h.close()
		return nil, nil, fmt.Errorf("sqlitestore: open %s: %w", path, err)
	}
	return sessionsql.NewStore(d, shared), d, nil
}

// handles are the database handles a store from Open owns.
type handles struct {
	writer, reader *sql.DB // the same handle for ":memory:"
	checkpoints    *sql.DB // nil for ":memory:"
}

func (h *handles) close() error {
	errs := []error{h.writer.Close()}
	if h.reader != h.writer {
		errs = append(errs, h.reader.Close())
	}
	if h.checkpoints != nil {
		errs = append(errs, h.checkpoints.Close())
	}
	return errors.Join(errs...)
}

// driver readies the database (WAL, the migrations, the write statements)
// and returns the store's driver over it, which closes h when it closes.
func (h *handles) driver(ctx context.Context, table sqlident.Name, owner bool, cfg Config) (*driver, error) {
	if err := h.writer.PingContext(ctx); err != nil {
		return nil, err
	}
	if h.checkpoints != nil {
		if err := enableWAL(ctx, h.writer, cfg.BusyTimeout); err != nil {
			return nil, fmt.Errorf("switch to WAL: %w", err)
		}
	}
	if err := migrations.Up(ctx, h.writer, migrations.SQLite); err != nil {
		return nil, err
	}
	q := buildQueries(table.Quoted())
	var conn *sql.Conn
	if h.checkpoints != nil { // a file: one connection writes, in groups
		var err error
		if conn, err = h.writer.Conn(ctx); err != nil {
			return nil, err
		}
	}
	w := newWriter(h.writer, conn, q, owner)
	d := newDriver(h.reader, table, q, w, h.close)
	if err := w.prepare(ctx); err != nil {
		w.close()
		return nil, d.Explain(err)
	}
	if h.checkpoints != nil {
		w.checkpoints = startCheckpointer(h.checkpoints, cfg.Logger, checkpointHook)
		h.checkpoints = nil // the checkpointer owns it now
	}
	return d, nil
}

// The default number of read connections: enough that concurrent Finds
// seldom wait for one. A Find that waits is handed its connection by the
// one before it, a wake-up that costs more than the read itself
// (BenchmarkFindHitReadConns: 16 goroutines on 2 cores found about 1.8x as
// fast over 16 connections as over 4). Connections open only as that many
// Finds run at once, and then stay open, each with two file descriptors
// and a page cache of up to 2 MiB; the cap keeps that bounded on machines
// with many cores.
const (
	minReadConns     = 16
	maxReadConns     = 64
	readConnsPerProc = 4
)

// openHandles returns the handles of path: the writer (one connection),
// the reader (ReadConns read-only connections) and the checkpointer's (one
// connection). For ":memory:" writer and reader are one single-connection
// handle, and there is no checkpointer.
func openHandles(path string, cfg Config) (*handles, error) {
	fail := func(err error) (*handles, error) { return nil, fmt.Errorf("sqlitestore: open %s: %w", path, err) }
	busy := busyPragma(cfg)
	if path == ":memory:" {
		db, err := sql.Open("sqlite", "file::memory:?"+busy)
		if err != nil {
			return fail(err)
		}
		keepOneConnection(db)
		return &handles{writer: db, reader: db}, nil
	}
	base := fileURI(path)
	both := []string{busy} // pragmas of the writer and the readers
	if cfg.MmapSize > 0 {
		both = append(both, fmt.Sprintf("_pragma=mmap_size(%d)", cfg.MmapSize))
	}
	writer, err := sql.Open("sqlite", base+"?"+strings.Join(slices.Concat(both, []string{
		"_pragma=synchronous(NORMAL)",
		fmt.Sprintf("_pragma=wal_autocheckpoint(%d)", checkpointPages),
		fmt.Sprintf("_pragma=journal_size_limit(%d)", walSizeLimit),
		"_txlock=immediate",
	}), "&"))
	if err != nil {
		return fail(err)
	}
	keepOneConnection(writer)
	reader, err := sql.Open("sqlite", base+"?"+strings.Join(slices.Concat(both, []string{"_pragma=query_only(1)"}), "&"))
	if err != nil {
		writer.Close()
		return fail(err)
	}
	reader.SetMaxOpenConns(cfg.ReadConns)
	reader.SetMaxIdleConns(cfg.ReadConns)
	reader.SetConnMaxLifetime(0)
	reader.SetConnMaxIdleTime(0)
	cp, err := sql.Open("sqlite", base+"?"+busy)
	if err != nil {
		writer.Close()
		reader.Close()
		return fail(err)
	}
	keepOneConnection(cp)
	return &handles{writer: writer, reader: reader, checkpoints: cp}, nil
}

// checkpointHook, when set (by tests), sees every background checkpoint's
// outcome.
var checkpointHook func(error)

// busyPragma is the DSN parameter for cfg's busy timeout.
func busyPragma(cfg Config) string {
	return fmt.Sprintf("_pragma=busy_timeout(%d)", cfg.BusyTimeout.Milliseconds())
}

// enableWAL switches the file to WAL mode. Changing the journal mode needs
// a moment of exclusive access and SQLite does not wait for it, so when
// another process holds the file (several instances starting at once), it
// retries until timeout has passed.
func enableWAL(ctx context.Context, db *sql.DB, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	wait := time.Millisecond
	for {
		var mode string
		err := db.QueryRowContext(ctx, "PRAGMA journal_mode=WAL").Scan(&mode)
		if err == nil {
			if !strings.EqualFold(mode, "wal") {
				return fmt.Errorf("journal mode is %q after asking for WAL", mode)
			}
			return nil
		}
		if !isBusy(err) || time.Now().After(deadline) {
			return err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		wait = min(2*wait, 100*time.Millisecond)
	}
}

// isBusy recognises SQLITE_BUSY and its extended codes.
func isBusy(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_BUSY
}

// keepOneConnection makes db a single, never-recycled connection: the one
// writer of a file, or the only holder of an in-memory database.
func keepOneConnection(db *sql.DB) {
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
}

// fileURI turns a file path into a SQLite "file:" URI, escaping the
// characters ('?', '#', '%', spaces) a URI would otherwise misread.
func fileURI(path string) string {
	return "file:" + (&url.URL{Path: path}).EscapedPath()
}
