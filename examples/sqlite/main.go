// Command sqlite is the smallest sessionsql app: scs sessions in an
// embedded SQLite file. Visit http://localhost:4000/put, then /get.
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
	"github.com/sessionsql/sessionsql/sqlitestore"
)

func main() {
	// Open creates the file, applies the migrations and starts the cleanup.
	st, err := sqlitestore.Open("sessions.db", sqlitestore.Config{})
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close() // stops the cleanup, closes the file

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

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
