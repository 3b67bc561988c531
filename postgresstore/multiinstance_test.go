package postgresstore_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/sessionsql/sessionsql"
	"github.com/sessionsql/sessionsql/internal/pgtest"
	"github.com/sessionsql/sessionsql/postgresstore"
)

// watchBatches installs, in the test's schema, a row trigger that proves
// from inside PostgreSQL that no two delete batches overlap: every deleted
// row's transaction takes a test-only advisory lock (re-entrant for its own
// transaction) without waiting, and fails the batch if another transaction
// holds it, that is, if another batch is deleting at the same moment. It
// also logs each deleted token with its transaction id.
func watchBatches(t *testing.T, pool *pgxpool.Pool, schema string) {
	t.Helper()
	for _, q := range []string{
		`CREATE TABLE deleted_log (token text NOT NULL, txid bigint NOT NULL)`,
		// The log is named with its schema: a connection through a pooler
		// runs the trigger with a search_path of its own.
		`CREATE FUNCTION one_batch_at_a_time() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF NOT pg_try_advisory_xact_lock(7250001) THEN
				RAISE EXCEPTION 'two delete batches at the same time';
			END IF;
			INSERT INTO ` + schema + `.deleted_log VALUES (OLD.token, txid_current());
			RETURN OLD;
		END $$`,
		`CREATE TRIGGER one_batch_at_a_time BEFORE DELETE ON sessions
			FOR EACH ROW EXECUTE FUNCTION one_batch_at_a_time()`,
	} {
		if _, err := pool.Exec(context.Background(), q); err != nil {
			t.Fatal(err)
		}
	}
}

// TestFourInstancesReapOnce runs four stores, each with its own pool and
// background reaper, on one table: every expired row is deleted exactly
// once in total, no live row is touched, and no two reapers ever delete at
// the same time (a trigger inside PostgreSQL fails any batch that overlaps
// another, which would surface as a failed run). The same behind a
// PgBouncer in transaction mode, where the reaper's lock must live and die
// within one statement.
func TestFourInstancesReapOnce(t *testing.T) {
	t.Run("direct", func(t *testing.T) {
		fourInstancesReapOnce(t, func(t *testing.T, schema string) (*pgxpool.Pool, string) { return pgtest.PoolFor(t, schema), "" })
	})
	t.Run("PgBouncer transaction pooling", func(t *testing.T) {
		fourInstancesReapOnce(t, func(t *testing.T, schema string) (*pgxpool.Pool, string) {
			return bouncedPool(t, pgtest.Transaction, "exec"), schema + ".sessions"
		})
	})
}

// fourInstancesReapOnce is TestFourInstancesReapOnce with the pools and
// table names instance gives each instance on the test's schema.
func fourInstancesReapOnce(t *testing.T, instance func(t *testing.T, schema string) (*pgxpool.Pool, string)) {
	const expired, live, instances = 5000, 100, 4
	pool, schema := migratedPool(t)
	ctx := context.Background()
	seedExpired(t, pool, expired)
	if _, err := pool.Exec(ctx, `INSERT INTO sessions (token, data, expiry)
		SELECT 'live-' || i, '\x01', now() + interval '1 hour' FROM generate_series(1, $1) AS i`, live); err != nil {
		t.Fatal(err)
	}

	watchBatches(t, pool, schema)
	var total atomic.Int64
	done := make(chan struct{})
	var doneOnce sync.Once
	for range instances {
		p, table := instance(t, schema) // an instance's own pool
		s, err := postgresstore.NewWithConfig(p, postgresstore.Config{Config: sessionsql.Config{TableName: table, CleanupInterval: time.Millisecond, CleanupBatchSize: 50, OnCleanup: func(st sessionsql.RunStats) {
			if st.Err != nil && !errors.Is(st.Err, context.Canceled) { // Close cancels
				t.Errorf("reaper run failed: %v", st.Err)
			}
			if total.Add(st.Deleted) >= expired {
				doneOnce.Do(func() { close(done) })
			}
		}}})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
	}

	select {
	case <-done:
	case <-time.After(2 * time.Minute): // a hang guard, not a timing goal
		t.Fatalf("reapers deleted %d of %d expired rows", total.Load(), expired)
	}

	var left, liveLeft int
	if err := pool.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE token LIKE 'live-%') FROM sessions`).Scan(&left, &liveLeft); err != nil {
		t.Fatal(err)
	}
	if got := total.Load(); got != expired {
		t.Errorf("reapers reported %d deletions in total, want exactly %d", got, expired)
	}
	if left != live || liveLeft != live {
		t.Errorf("%d rows left (%d live), want exactly the %d live ones", left, liveLeft, live)
	}
	var logged, distinct, batches int
	if err := pool.QueryRow(ctx, `SELECT count(*), count(DISTINCT token), count(DISTINCT txid) FROM deleted_log`).Scan(&logged, &distinct, &batches); err != nil {
		t.Fatal(err)
	}
	if logged != expired || distinct != expired {
		t.Errorf("the database logged %d deletions of %d distinct rows, want %d of each", logged, distinct, expired)
	}
	if batches < expired/50 {
		t.Errorf("%d delete batches ran, want at least %d (batch size 50)", batches, expired/50)
	}
	t.Logf("%d rows deleted in %d batches by %d instances, never two batches at once", expired, batches, instances)
}
