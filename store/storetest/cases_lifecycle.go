package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/sessionsql/sessionsql"
)

// eachOp calls every store operation with ctx and returns their errors by
// name. Find's result must be (nil, false) whenever it fails.
func eachOp(e *env, ctx context.Context, tok string) map[string]error {
	errs := map[string]error{}
	b, found, err := e.s.FindCtx(ctx, tok)
	if err != nil && (b != nil || found) {
		e.t.Errorf("FindCtx returned data alongside error %v", err)
	}
	errs["FindCtx"] = err
	errs["CommitCtx"] = e.s.CommitCtx(ctx, tok, []byte("x"), e.in(time.Hour))
	errs["DeleteCtx"] = e.s.DeleteCtx(ctx, tok)
	m, err := e.s.AllCtx(ctx)
	if err != nil && m != nil {
		e.t.Errorf("AllCtx returned a map alongside error %v", err)
	}
	errs["AllCtx"] = err
	_, errs["DeleteExpired"] = e.s.DeleteExpired(ctx, 10)
	return errs
}

func testContextCanceled(e *env) {
	tok := token()
	e.commit(tok, []byte("kept"), e.in(time.Hour))
	ctx, cancel := context.WithCancel(e.ctx())
	cancel()
	for op, err := range eachOp(e, ctx, tok) {
		if !errors.Is(err, context.Canceled) {
			e.t.Errorf("%s with a canceled context: %v, want an error matching context.Canceled", op, err)
		}
	}
	e.wantFound(tok, []byte("kept"))
}

func testContextDeadline(e *env) {
	tok := token()
	ctx, cancel := context.WithDeadline(e.ctx(), time.Unix(0, 0))
	defer cancel()
	for op, err := range eachOp(e, ctx, tok) {
		if !errors.Is(err, context.DeadlineExceeded) {
			e.t.Errorf("%s past its deadline: %v, want an error matching context.DeadlineExceeded", op, err)
		}
	}
}

func testClosed(e *env) {
	tok := token()
	e.commit(tok, []byte("x"), e.in(time.Hour))
	if err := e.s.Close(); err != nil {
		e.t.Fatalf("Close: %v", err)
	}
	if err := e.s.Close(); err != nil {
		e.t.Fatalf("second Close: %v, want nil", err)
	}
	for op, err := range eachOp(e, e.ctx(), tok) {
		if !errors.Is(err, sessionsql.ErrClosed) {
			e.t.Errorf("%s after Close: %v, want an error matching sessionsql.ErrClosed", op, err)
		}
	}
	if _, _, err := e.s.Find(tok); !errors.Is(err, sessionsql.ErrClosed) {
		e.t.Errorf("Find after Close: %v, want sessionsql.ErrClosed", err)
	}
	if err := e.s.Commit(tok, nil, e.in(time.Hour)); !errors.Is(err, sessionsql.ErrClosed) {
		e.t.Errorf("Commit after Close: %v, want sessionsql.ErrClosed", err)
	}
	if err := e.s.Delete(tok); !errors.Is(err, sessionsql.ErrClosed) {
		e.t.Errorf("Delete after Close: %v, want sessionsql.ErrClosed", err)
	}
	if _, err := e.s.All(); !errors.Is(err, sessionsql.ErrClosed) {
		e.t.Errorf("All after Close: %v, want sessionsql.ErrClosed", err)
	}
}

// testConcurrent runs 32 goroutines that commit, find and delete at once,
// each on its own tokens plus a few shared ones. No operation may fail
// (SQLite's "database is locked" included) and every private session must
// end up exactly as its goroutine left it.
func testConcurrent(e *env) {
	const workers, rounds = 32, 20
	shared := []string{token(), token(), token()}
	var wg sync.WaitGroup
	errc := make(chan error, workers)
	finals := make([]map[string]string, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			final := map[string]string{}
			finals[w] = final
			own := []string{token(), token()}
			for r := range rounds {
				for _, tok := range own {
					val := fmt.Sprintf("w%d r%d", w, r)
					if err := e.s.CommitCtx(e.ctx(), tok, []byte(val), e.in(time.Hour)); err != nil {
						errc <- fmt.Errorf("commit: %w", err)
						return
					}
					got, found, err := e.s.FindCtx(e.ctx(), tok)
					if err != nil || !found || string(got) != val {
						errc <- fmt.Errorf("find after commit = (%q, %v, %v), want %q", got, found, err, val)
						return
					}
					final[tok] = val
				}
				tok := shared[r%len(shared)]
				if err := e.s.CommitCtx(e.ctx(), tok, []byte("shared"), e.in(time.Hour)); err != nil {
					errc <- fmt.Errorf("commit shared: %w", err)
					return
				}
				if _, _, err := e.s.FindCtx(e.ctx(), shared[(r+1)%len(shared)]); err != nil {
					errc <- fmt.Errorf("find shared: %w", err)
					return
				}
				if r == rounds-1 {
					if err := e.s.DeleteCtx(e.ctx(), own[0]); err != nil {
						errc <- fmt.Errorf("delete: %w", err)
						return
					}
					delete(final, own[0])
				}
			}
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		e.t.Error(err)
	}
	if e.t.Failed() {
		return
	}
	all := e.all()
	want := len(shared)
	for _, final := range finals {
		want += len(final)
		for tok, val := range final {
			if string(all[tok]) != val {
				e.t.Fatalf("session %.10q = %q, want %q", tok, all[tok], val)
			}
		}
	}
	if len(all) != want {
		e.t.Fatalf("AllCtx has %d sessions after the concurrent run, want %d", len(all), want)
	}
}

// testCloseUnderLoad closes the store while goroutines are using it: every
// operation either succeeds or fails with sessionsql.ErrClosed, and all of them
// return.
func testCloseUnderLoad(e *env) {
	const workers = 8
	var wg sync.WaitGroup
	started := make(chan struct{}, workers)
	errc := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var once sync.Once
			ready := func() { once.Do(func() { started <- struct{}{} }) }
			defer ready() // a worker that fails early must not leave Close waiting
			tok := token()
			for i := 0; ; i++ {
				err := e.s.CommitCtx(e.ctx(), tok, fmt.Appendf(nil, "w%d-%d", w, i), e.in(time.Hour))
				if err == nil {
					_, _, err = e.s.FindCtx(e.ctx(), tok)
				}
				if i == 3 {
					ready()
				}
				if err != nil {
					if !errors.Is(err, sessionsql.ErrClosed) {
						errc <- fmt.Errorf("operation during Close: %w (want sessionsql.ErrClosed)", err)
					}
					return
				}
			}
		}()
	}
	for range workers {
		<-started
	}
	if err := e.s.Close(); err != nil {
		e.t.Errorf("Close under load: %v", err)
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		e.t.Error(err)
	}
}
