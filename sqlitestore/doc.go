// Package sqlitestore is an embedded SQLite session store for
// github.com/alexedwards/scs/v2, built on modernc.org/sqlite: pure Go, no
// cgo, one file next to your binary.
//
// Open is the whole setup: it creates or opens the file, switches it to WAL,
// applies the migrations and runs expired-session cleanup in the background.
//
//	st, err := sqlitestore.Open("sessions.db", sqlitestore.Config{})
//	if err != nil { ... }
//	defer st.Close()
//	sessionManager := scs.New()
//	sessionManager.Store = st
//
// A store from Open writes through one connection and reads through a pool
// of read-only connections, so any number of goroutines can commit and find
// at once without SQLite's "database is locked" errors; its connections read
// the file through memory mapping (Config.MmapSize). New and
// NewWithConfig wrap a *sql.DB you opened yourself (for example to share one
// file with your app's own tables); apply the schema to it with
// Migrate first, and give it a busy timeout.
//
// Expiry is stored as INTEGER unix milliseconds and compared with the
// store's clock in SQL, so expired sessions are never returned.
package sqlitestore
