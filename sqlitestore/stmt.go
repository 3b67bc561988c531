package sqlitestore

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"

	"github.com/sessionsql/sessionsql"
)

// preparer is a *sql.DB or one of its connections.
type preparer interface {
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

// stmt is one of the store's statements, prepared on first use (the table
// may not exist yet when a store is built over a caller's *sql.DB) and kept
// for every call after; database/sql prepares it again on each connection
// that runs it. A failed preparation is retried on the next call.
type stmt struct {
	db    preparer
	query string

	ready  atomic.Pointer[sql.Stmt]
	mu     sync.Mutex // serialises preparation and close
	closed bool
}

func newStmt(db preparer, query string) *stmt { return &stmt{db: db, query: query} }

func (s *stmt) get(ctx context.Context) (*sql.Stmt, error) {
	if p := s.ready.Load(); p != nil {
		return p, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.ready.Load(); p != nil {
		return p, nil
	}
	if s.closed {
		return nil, sessionsql.ErrClosed
	}
	p, err := s.db.PrepareContext(ctx, s.query)
	if err != nil {
		return nil, err
	}
	s.ready.Store(p)
	return p, nil
}

func (s *stmt) close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	if p := s.ready.Swap(nil); p != nil {
		return p.Close()
	}
	return nil
}
