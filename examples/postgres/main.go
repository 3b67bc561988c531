// Command postgres is the smallest sessionsql app on PostgreSQL: scs
// sessions shared by every instance of the app.
//
//	DATABASE_URL=postgres://user:pass@localhost/app go run ./examples/postgres
package main

import (
	"cmp"
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"github.com/alexedwards/scs/v2"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/sessionsql/sessionsql/postgresstore"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	if err := postgresstore.Migrate(ctx, pool); err != nil { // safe from every instance at once
		log.Fatal(err)
	}
	st := postgresstore.New(pool) // cleans up expired sessions every 5 minutes
	defer st.Close()              // stops the cleanup; never closes the pool

	sessionManager := scs.New()
	sessionManager.Store = st

	mux := http.NewServeMux()
	mux.HandleFunc("/put", func(w http.ResponseWriter, r *http.Request) {
		sessionManager.Put(r.Context(), "message", "Hello from a session!")
		io.WriteString(w, "stored; now visit /get\n")
	})
	mux.HandleFunc("/get", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, sessionManager.GetString(r.Context(), "message")+"\n")
	})

	ln, err := net.Listen("tcp", cmp.Or(os.Getenv("ADDR"), "localhost:4000"))
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Handler: sessionManager.LoadAndSave(mux)}
	go srv.Serve(ln)
	log.Printf("listening on http://%s", ln.Addr())
	<-ctx.Done()
	srv.Shutdown(context.Background()) // finish requests in flight, then the defers close the store
}
