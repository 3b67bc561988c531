package sqlitestore_test

import (
	"context"
	"database/sql"
	"io"
	"log"
	"net/http"

	"github.com/alexedwards/scs/v2"
	"github.com/sessionsql/sessionsql/sqlitestore"
)

// Example is the whole setup: open the file, plug into scs.
func Example() {
	st, err := sqlitestore.Open("sessions.db", sqlitestore.Config{})
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()

	sessionManager := scs.New()
	sessionManager.Store = st

	mux := http.NewServeMux()
	mux.HandleFunc("/put", func(w http.ResponseWriter, r *http.Request) {
		sessionManager.Put(r.Context(), "message", "Hello from a session!")
	})
	mux.HandleFunc("/get", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, sessionManager.GetString(r.Context(), "message"))
	})
	log.Fatal(http.ListenAndServe(":4000", sessionManager.LoadAndSave(mux)))
}

// ExampleNew shares a database the app opened itself.
func ExampleNew() {
	db, err := sql.Open("sqlite", "file:app.db?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if err := sqlitestore.Migrate(context.Background(), db); err != nil {
		log.Fatal(err)
	}
	st := sqlitestore.New(db)
	defer st.Close()

	sessionManager := scs.New()
	sessionManager.Store = st
}
