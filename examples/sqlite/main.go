// Command sqlite is the smallest sessionsql app: scs sessions in an
// embedded SQLite file. Visit http://localhost:4000/put, then /get.
package main

import (
	"context"
	"io"
	"log"
	"net/http"
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

	srv := &http.Server{Addr: "localhost:4000", Handler: sessionManager.LoadAndSave(mux)}
	go func() {
		if err := srv.ListenAndServe(); err != http.ErrServerClosed {
			log.Fatal(err)
		}
	}()
	log.Println("listening on http://localhost:4000")
	<-ctx.Done()
	srv.Shutdown(context.Background()) // finish requests in flight, then the defers close the store
}
