// Command bench measures sessionsql against scs's own SQL stores and the raw
// drivers, on the same machine, in one run, and writes the tables to
// RESULTS.md (each suite replaces its own section).
//
//	cd bench && go run . -suite reap
//
// PostgreSQL runs on a throwaway durable cluster the command starts itself
// (the initdb/postgres binaries must be installed); -no-postgres skips it.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/sessionsql/sessionsql"
)

func main() {
	suite := flag.String("suite", "ops", "which suite to run: ops, owner or reap")
	cell := flag.Duration("ops-cell", 3600*time.Millisecond, "ops: measured time per cell, split into rounds")
	opsRows := flag.Int("ops-rows", 10_000, "ops: live sessions per table")
	bigRows := flag.Int("ops-big-rows", 1_000_000, "ops: rows for the growth check (0 skips it)")
	sizes := flag.String("ops-sizes", "300,16384", "ops: session blob sizes in bytes")
	callers := flag.String("ops-callers", "1,16", "ops: concurrent callers")
	opsWorkloads := flag.String("ops-workloads", "", "ops: comma-separated workload names to run (default all), e.g. \"Find hit,Commit update\"")
	out := flag.String("out", "RESULTS.md", "results file; the suite's section is replaced")
	noPG := flag.Bool("no-postgres", false, "skip PostgreSQL")
	expired := flag.Int("reap-expired", 1_000_000, "reap: expired rows in the big backlog")
	small := flag.Int("reap-small", 100_000, "reap: expired rows in the small backlog (memory comparison)")
	rate := flag.Int("reap-rate", 1000, "reap: foreground operations per second")
	workers := flag.Int("reap-workers", 8, "reap: foreground goroutines")
	baseline := flag.Duration("reap-baseline", 10*time.Second, "reap: foreground measured before the reap")
	batch := flag.Int("reap-batch", 0, "reap: Reaper batch size (0: the default)")
	pause := flag.Duration("reap-pause", 0, "reap: Reaper pause between batches (0: the default)")
	only := flag.String("only", "", "run one backend only: sqlite or postgres")
	readConns := flag.Int("sqlite-read-conns", 0, "ops: read connections of our SQLite stores (0: Open's default)")
	pgFast := flag.Bool("pg-nondurable", false, "run PostgreSQL without fsync (to see what durability costs)")
	pgBuffers := flag.String("pg-shared-buffers", "4GB", "PostgreSQL's shared_buffers: room for every table of a run (the 10^6-row ones are about 500 MB each)")
	ownerRows := flag.String("owner-rows", "10000,1000000", "owner: table sizes")
	ownerWindow := flag.Duration("owner-window", 3*time.Second, "owner: measured time per cell")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	oc := opsConfig{cell: *cell, warmup: *cell / 6, rows: *opsRows, bigRows: *bigRows,
		sizes: ints(*sizes), callers: ints(*callers), fresh: 3_000_000, rounds: 12, only: *only,
		workloads: names(*opsWorkloads), sqliteReadConns: *readConns}
	if err := run(ctx, *suite, *out, *noPG, oc, reapConfig{
		expired: *expired, small: *small, live: 10_000, workers: *workers, rate: *rate, baseline: *baseline,
		reaper: sessionsql.ReaperConfig{BatchSize: *batch, Pause: *pause}, only: *only, pgNonDurable: *pgFast, pgBuffers: *pgBuffers,
	}, ownerConfig{rows: ints(*ownerRows), perOwner: 5, window: *ownerWindow, only: *only, explainAt: slices.Max(ints(*ownerRows))}); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// flushProbes is how many flushes each timing of the WAL disk takes.
const flushProbes = 200

func run(ctx context.Context, suite, out string, noPG bool, oc opsConfig, rc reapConfig, owc ownerConfig) error {
	var pg *postgres
	pgVersion := "no PostgreSQL"
	if !noPG && rc.only != "sqlite" && oc.only != "sqlite" {
		var err error
		if pg, err = startPostgres(ctx, !rc.pgNonDurable, rc.pgBuffers); err != nil {
			return fmt.Errorf("start PostgreSQL (use -no-postgres to skip it): %w", err)
		}
		defer pg.close()
		pgVersion = pg.version(ctx)
	}
	command := shellCommand("cd bench && go run .", os.Args[1:])
	header := fmt.Sprintf("Machine: %s.  \nRun: %s, `%s`.\n\n", machine(pgVersion), time.Now().UTC().Format("2006-01-02 15:04 MST"), command)

	switch suite {
	case "ops":
		var host hostFacts
		flush := func() {
			if pg == nil {
				return
			}
			// Next to the data directory: the WAL's filesystem, without a
			// stray file among the server's own. Only a detail of the
			// goal lines: a failure leaves it out rather than the run.
			d, err := measureFlush(filepath.Dir(pg.srv.DataDir()), flushProbes)
			if err != nil {
				fmt.Fprintln(os.Stderr, "bench: time the WAL disk's flushes:", err)
				return
			}
			host.walFlush = append(host.walFlush, d)
		}
		flush()
		results, err := runOps(ctx, os.Stdout, pg, oc)
		if err != nil {
			return err
		}
		flush()
		name := "ops"
		if hasBaseline() {
			// A run against an earlier revision has a section of its own.
			name = "ops-baseline"
			header += fmt.Sprintf("Baseline: the store at revision %s (`bench/baseline.sh`), as \"%s\".\n\n", baseline.rev, baselineName)
		}
		section := header + opsTable(results, oc) + opsGoals(results, oc, host)
		fmt.Println(section)
		return writeSection(out, name, section)
	case "owner":
		results, err := runOwner(ctx, os.Stdout, pg, owc)
		if err != nil {
			return err
		}
		section := header + ownerTable(results, owc)
		fmt.Println(section)
		return writeSection(out, "owner", section)
	case "reap":
		results, err := runReap(ctx, os.Stdout, pg, rc)
		if err != nil {
			return err
		}
		section := header + reapTable(results, rc)
		fmt.Println(section)
		return writeSection(out, "reap", section)
	default:
		return fmt.Errorf("unknown suite %q", suite)
	}
}

// writeSection replaces the text between the suite's markers in path (or
// appends it), leaving the other suites' sections alone.
func writeSection(path, name, body string) error {
	begin, end := "<!-- "+name+":begin -->", "<!-- "+name+":end -->"
	old, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	text := string(old)
	block := begin + "\n" + body + end
	if i, j := strings.Index(text, begin), strings.Index(text, end); i >= 0 && j > i {
		text = text[:i] + block + text[j+len(end):]
	} else {
		if text == "" {
			text = "# Benchmark results\n\nGenerated by `cd bench && go run . -suite <name>`; each suite rewrites its own section.\n"
		}
		text += "\n" + block + "\n"
	}
	return os.WriteFile(path, []byte(text), 0o644)
}

// names parses a comma-separated list of names; nil for an empty one.
func names(s string) map[string]bool {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	m := map[string]bool{}
	for _, f := range strings.Split(s, ",") {
		m[strings.TrimSpace(f)] = true
	}
	return m
}

// ints parses a comma-separated list of whole numbers.
func ints(s string) []int {
	var out []int
	for _, f := range strings.Split(s, ",") {
		var n int
		if _, err := fmt.Sscan(strings.TrimSpace(f), &n); err == nil {
			out = append(out, n)
		}
	}
	return out
}

// shellCommand is prefix followed by args as a shell would need them typed
// to run the same command: an argument with a space or a shell
// metacharacter in it ("Find hit") goes in single quotes.
func shellCommand(prefix string, args []string) string {
	parts := []string{prefix}
	for _, a := range args {
		if a == "" || strings.ContainsAny(a, " \t\n'\"\\$`*?[]{}()<>|&;#~!") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		parts = append(parts, a)
	}
	return strings.Join(parts, " ")
}
