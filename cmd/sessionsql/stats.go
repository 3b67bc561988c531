package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/sessionsql/sessionsql/migrations"
)

// tableStats is what stats reports.
type tableStats struct {
	Database string `json:"database"`
	Table    string `json:"table"`
	Live     int64  `json:"live"`
	Expired  int64  `json:"expired"`
	// Deleted counts the tombstones of deleted sessions (logged out,
	// renewed, revoked) that the reaper has not removed yet, left out of
	// Live and Expired: their tokens are refused (migration 3).
	Deleted       int64        `json:"deleted"`
	OldestExpiry  *time.Time   `json:"oldest_expiry,omitempty"`
	NewestExpiry  *time.Time   `json:"newest_expiry,omitempty"`
	TableBytes    int64        `json:"table_bytes"`
	IndexBytes    int64        `json:"index_bytes"`
	BusiestOwners []ownerCount `json:"busiest_owners"`
	// OwnerIndex says whether the table has the owner columns (migration 2).
	OwnerIndex bool `json:"owner_index"`
}

type ownerCount struct {
	Owner    string `json:"owner"`
	Sessions int64  `json:"sessions"`
}

func runStats(ctx context.Context, args []string, out, errOut io.Writer) error {
	var asJSON bool
	var top int
	f := newFlags("stats", "stats [--db DB] [--json] [--top N]", []string{
		"sessionsql stats --db sessions.db",
		"sessionsql stats --db postgres://app@db/app --json | jq .live",
	}, errOut)
	f.BoolVar(&asJSON, "json", false, "print JSON, for scripts")
	f.IntVar(&top, "top", 5, "how many of the busiest owners to show (0: none)")
	if err := f.parse(args); err != nil {
		return err
	}
	if f.NArg() != 0 || top < 0 {
		return f.usageError("stats takes no arguments and a --top of 0 or more")
	}
	d, err := open(ctx, f.t, false)
	if err != nil {
		return err
	}
	defer d.close()
	s, err := d.stats(ctx, time.Now(), top)
	if err != nil {
		return d.explain(err)
	}
	if asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(s)
	}
	fmt.Fprintf(out, "%s, table %s\n", s.Database, s.Table)
	fmt.Fprintf(out, "  live sessions     %d\n  expired sessions  %d\n  deleted sessions  %d\n", s.Live, s.Expired, s.Deleted)
	if s.OldestExpiry != nil {
		fmt.Fprintf(out, "  oldest expiry     %s\n  newest expiry     %s\n", s.OldestExpiry.Format(time.RFC3339), s.NewestExpiry.Format(time.RFC3339))
	}
	fmt.Fprintf(out, "  table size        %s\n  index size        %s\n", bytesText(s.TableBytes), bytesText(s.IndexBytes))
	if !s.OwnerIndex {
		fmt.Fprintln(out, "  owners            no owner index (run `sessionsql migrate up`)")
	}
	for i, o := range s.BusiestOwners {
		label := ""
		if i == 0 {
			label = "busiest owners"
		}
		fmt.Fprintf(out, "  %-17s %s: %s\n", label, o.Owner, count(o.Sessions, "session"))
	}
	return nil
}

// stats reads the numbers in one pass per question.
func (d *database) stats(ctx context.Context, now time.Time, top int) (tableStats, error) {
	s := tableStats{Database: d.where, Table: d.table.String(), BusiestOwners: []ownerCount{}}
	q := d.table.Quoted()
	nowArg := d.timeArg(now)
	var oldest, newest sql.Null[int64]
	var oldestT, newestT sql.NullTime
	counts := func(deleted string) error {
		row := d.db.QueryRowContext(ctx, fmt.Sprintf(`SELECT
		coalesce(sum(CASE WHEN %[2]s THEN 0 WHEN expiry > $1 THEN 1 ELSE 0 END), 0),
		coalesce(sum(CASE WHEN %[2]s THEN 0 WHEN expiry <= $1 THEN 1 ELSE 0 END), 0),
		coalesce(sum(CASE WHEN %[2]s THEN 1 ELSE 0 END), 0),
		min(CASE WHEN %[2]s THEN NULL ELSE expiry END), max(CASE WHEN %[2]s THEN NULL ELSE expiry END) FROM %[1]s`, q, deleted), nowArg)
		if d.dialect == migrations.SQLite {
			return row.Scan(&s.Live, &s.Expired, &s.Deleted, &oldest, &newest)
		}
		return row.Scan(&s.Live, &s.Expired, &s.Deleted, &oldestT, &newestT)
	}
	err := counts("deleted")
	if err != nil && noColumn(err) {
		err = counts("1 = 0") // a table from before migration 3: no tombstones
	}
	if err != nil {
		return s, err
	}
	if oldest.Valid {
		oldestT = sql.NullTime{Time: time.UnixMilli(oldest.V).UTC(), Valid: true}
		newestT = sql.NullTime{Time: time.UnixMilli(newest.V).UTC(), Valid: true}
	}
	if oldestT.Valid {
		s.OldestExpiry, s.NewestExpiry = &oldestT.Time, &newestT.Time
	}
	if s.TableBytes, s.IndexBytes, err = d.sizes(ctx); err != nil {
		return s, err
	}
	rows, err := d.db.QueryContext(ctx, fmt.Sprintf(`SELECT owner, count(*) FROM %s
		WHERE owner IS NOT NULL AND expiry > $1 GROUP BY owner ORDER BY count(*) DESC, owner LIMIT $2`, q), nowArg, top)
	if err != nil {
		if noColumn(err) {
			return s, nil // a table from before migration 2
		}
		return s, err
	}
	defer rows.Close()
	s.OwnerIndex = true
	for rows.Next() {
		var o ownerCount
		if err := rows.Scan(&o.Owner, &o.Sessions); err != nil {
			return s, err
		}
		s.BusiestOwners = append(s.BusiestOwners, o)
	}
	return s, rows.Err()
}

// sizes returns the bytes the table and its indexes take.
func (d *database) sizes(ctx context.Context) (table, indexes int64, err error) {
	if d.dialect == migrations.Postgres {
		err = d.db.QueryRowContext(ctx, `SELECT pg_table_size($1::regclass), pg_indexes_size($1::regclass)`, d.table.Quoted()).Scan(&table, &indexes)
		return table, indexes, err
	}
	// SQLite: dbstat counts the pages of each b-tree.
	err = d.db.QueryRowContext(ctx, `SELECT
		coalesce(sum(CASE WHEN name = $1 THEN pgsize ELSE 0 END), 0),
		coalesce(sum(CASE WHEN name <> $1 AND name IN (SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = $1) THEN pgsize ELSE 0 END), 0)
		FROM dbstat`, d.table.String()).Scan(&table, &indexes)
	return table, indexes, err
}

// bytesText is n in the largest unit that keeps it at 1 or more.
func bytesText(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// count is n and noun, plural unless n is 1: "1 session", "3 batches".
func count[N ~int | ~int64](n N, noun string) string {
	switch {
	case n == 1:
		return "1 " + noun
	case strings.HasSuffix(noun, "ch"), strings.HasSuffix(noun, "s"):
		return fmt.Sprintf("%d %ses", n, noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
