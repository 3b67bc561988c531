package postgresstore_test

import (
	"context"
	"io"
	"log"
	"net/http"
	"os"

	"github.com/alexedwards/scs/v2"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/sessionsql/sessionsql/postgresstore"
)

// Example is the whole setup: connect, migrate, plug into scs.
func Example() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	if err := postgresstore.Migrate(ctx, pool); err != nil {
		log.Fatal(err)
	}
	st := postgresstore.New(pool)
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
