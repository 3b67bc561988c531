package sqlitestore

import (
	"context"
	"database/sql"
	"log/slog"
	"sync"
	"time"
)

// checkpointEvery is how long the checkpointer lets writes gather in the
// WAL before it copies them back into the database file: a page written
// again and again meanwhile (an index page, say) is copied once.
const checkpointEvery = 100 * time.Millisecond

// checkpointer copies the WAL back into the database file in the
// background (SQLite's PASSIVE checkpoint, which never blocks the writer
// or the readers), on a connection of its own, so that the writer never
// stops to do it in the middle of a commit: with SQLite's own automatic
// checkpoints, every thousandth page or so a commit waits while pages are
// copied and the file is fsynced. The writer keeps a late automatic
// checkpoint (checkpointPages) as a backstop should this one fall behind.
type checkpointer struct {
	db     *sql.DB // one connection, read-write
	logger *slog.Logger
	wake   chan struct{} // written to: checkpoint soon
	stop   chan struct{}
	done   chan struct{}
	once   sync.Once

	checkpointed func(error) // test hook: a checkpoint ran
}

// startCheckpointer starts the checkpointer of the database db opens.
// It owns db and closes it on close.
func startCheckpointer(db *sql.DB, logger *slog.Logger, checkpointed func(error)) *checkpointer {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	c := &checkpointer{db: db, logger: logger, wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{}),
		checkpointed: checkpointed}
	go c.loop()
	return c
}

// written tells the checkpointer that the WAL grew; it never blocks.
func (c *checkpointer) written() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

func (c *checkpointer) loop() {
	defer close(c.done)
	timer := time.NewTimer(checkpointEvery)
	timer.Stop()
	failing := false
	for {
		select {
		case <-c.stop:
			return
		case <-c.wake:
		}
		timer.Reset(checkpointEvery)
		select {
		case <-c.stop:
			timer.Stop()
			return
		case <-timer.C:
		}
		_, err := c.db.ExecContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)")
		if c.checkpointed != nil {
			c.checkpointed(err)
		}
		switch {
		case err != nil && !failing:
			// A read-only file, a full disk: the writer's own automatic
			// checkpoint still runs as a backstop. Said once, not every
			// time.
			c.logger.Warn("sqlitestore: background checkpoint failed; the writer checkpoints by itself", "err", err)
			failing = true
		case err == nil:
			failing = false
		}
	}
}

// close stops the checkpointer, waits for it and closes its connection.
// It is idempotent.
func (c *checkpointer) close() error {
	var err error
	c.once.Do(func() {
		close(c.stop)
		<-c.done
		err = c.db.Close()
	})
	return err
}
