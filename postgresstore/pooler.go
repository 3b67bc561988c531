package postgresstore

import (
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// ErrPooledStatement is matched (errors.Is) by an error that says a
// prepared statement did not last on its connection, as happens behind a
// connection pooler in transaction mode (PgBouncer before 1.21, or with
// max_prepared_statements = 0): pgx's exec modes cache_statement (its
// default) and describe_exec do not work there; exec, simple_protocol and
// cache_describe do. The wrapping error says so.
var ErrPooledStatement = errors.New("a prepared statement did not last on its connection")

// PoolerError returns err with what to do when it says a prepared
// statement did not last on its connection (see ErrPooledStatement), and
// err as it is otherwise. A store's own errors say it already: this is
// for the statements an app runs itself on the same pool.
func PoolerError(err error) error {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return err
	}
	switch {
	case pgErr.Code == "42P05", // duplicate_prepared_statement
		pgErr.Code == "26000", // invalid_sql_statement_name: no such prepared statement
		pgErr.Code == "08P01" && strings.Contains(pgErr.Message, "prepared statement"): // another's unnamed statement
	default:
		return err
	}
	return fmt.Errorf("%w, as behind a connection pooler in transaction mode (PgBouncer): set default_query_exec_mode=exec in the connection string (or simple_protocol, or cache_describe; ConnConfig.DefaultQueryExecMode in a pool's config), as cache_statement (pgx's default) and describe_exec need a connection to keep its prepared statements: %w",
		ErrPooledStatement, err)
}
