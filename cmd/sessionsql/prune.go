package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/sessionsql/sessionsql"
)

// pruneStats is what a prune did.
type pruneStats struct {
	deleted  int64
	batches  int
	elapsed  time.Duration
	stopped  bool // Ctrl-C ended it early
	lockWait int  // tries that found another instance pruning
}

func (p pruneStats) rate() float64 {
	if p.elapsed <= 0 {
		return 0
	}
	return float64(p.deleted) / p.elapsed.Seconds()
}

func runPrune(ctx context.Context, args []string, out, errOut io.Writer) error {
	var batch int
	var pause time.Duration
	var progress bool
	f := newFlags("prune", "prune [--db DB] [--batch N] [--pause D]", []string{
		"sessionsql prune --db sessions.db",
		"*/15 * * * * DATABASE_URL=postgres://app@db/app sessionsql prune   # a crontab line",
		"sessionsql prune --db postgres://app@db/app --batch 1000 --pause 50ms",
	}, errOut)
	f.IntVar(&batch, "batch", 250, "rows per batch, each its own short transaction")
	f.DurationVar(&pause, "pause", 10*time.Millisecond, "rest between batches, so live traffic gets its turn")
	f.BoolVar(&progress, "progress", isTerminal(out), "show progress while running (default: when output is a terminal)")
	if err := f.parse(args); err != nil {
		return err
	}
	if f.NArg() != 0 || batch <= 0 {
		return f.usageError("prune takes no arguments and a positive --batch")
	}
	d, err := open(ctx, f.t, false)
	if err != nil {
		return err
	}
	defer d.close()
	st, err := d.store(0) // the default grace: prune revokes nothing
	if err != nil {
		return err
	}
	defer st.Close()

	p, err := prune(ctx, st, batch, pause, func(p pruneStats) {
		if progress {
			fmt.Fprintf(out, "\rdeleted %s in %s (%.0f rows/s)", count(p.deleted, "expired row"), count(p.batches, "batch"), p.rate())
		}
	})
	if progress {
		fmt.Fprintln(out)
	}
	if err != nil {
		if p.deleted > 0 {
			return fmt.Errorf("after pruning %s in %s: %w", count(p.deleted, "expired row"), count(p.batches, "batch"), d.explain(err))
		}
		return d.explain(err)
	}
	verb := "pruned"
	if p.stopped {
		verb = "stopped after pruning"
	}
	fmt.Fprintf(out, "%s %s from %s in %s, %v (%.0f rows/s)\n",
		verb, count(p.deleted, "expired row"), d.where, count(p.batches, "batch"), p.elapsed.Round(time.Millisecond), p.rate())
	if p.stopped {
		return errInterrupted
	}
	return nil
}

// errInterrupted is a prune that Ctrl-C (or SIGTERM) stopped between
// batches: exit status 1, so that cron and job runners see the table was
// not left clean.
var errInterrupted = errors.New("interrupted before every expired session was deleted; run prune again to finish")

// prune deletes expired sessions batch by batch until a batch comes back
// short. Each batch runs to its end even when ctx ends (an interrupt stops
// the run between batches, never inside one). When another instance holds
// the table's reaper lock (PostgreSQL), it waits and tries again.
func prune(ctx context.Context, st *sessionsql.Store, batch int, pause time.Duration, report func(pruneStats)) (pruneStats, error) {
	var p pruneStats
	start := time.Now()
	for {
		if ctx.Err() != nil {
			p.stopped = true
			p.elapsed = time.Since(start)
			return p, nil
		}
		n, err := st.DeleteExpired(context.WithoutCancel(ctx), batch)
		if errors.Is(err, sessionsql.ErrLockHeld) {
			p.lockWait++
			sleep(ctx, time.Second)
			continue
		}
		if err != nil {
			p.elapsed = time.Since(start)
			return p, err
		}
		p.deleted += n
		p.batches++
		p.elapsed = time.Since(start)
		report(p)
		if n < int64(batch) {
			return p, nil
		}
		sleep(ctx, pause)
	}
}

// sleep waits d or until ctx ends; it reports whether it waited d.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// isTerminal reports whether w is a terminal (a character device).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
