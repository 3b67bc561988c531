package dsn

import (
	"io"
	"strings"
)

// A Redactor hides the passwords of several connection strings at once
// (Redact for each): those of a command line's arguments, for everything a
// program prints, so that a connection string given in the wrong place (a
// positional argument, another flag's value) is quoted without its
// password. The connection string given in the right place is better left
// out of its sources (see OtherArgs): the messages that name it hide its
// password already, where it is, and a Redactor would also hide a word
// equal to it anywhere ("PostgreSQL at xxxxx@db/xxxxx" for
// postgres://postgres:postgres@db/postgres).
type Redactor struct{ secrets []string }

// NewRedactor returns a Redactor for the passwords of sources; strings
// that hold none cost nothing later.
func NewRedactor(sources ...string) *Redactor {
	var found []string
	for _, s := range sources {
		found = append(found, secrets(s)...)
	}
	return &Redactor{secrets: longestFirst(found)}
}

// Redact returns msg with every password of the Redactor's sources in it
// replaced, as Redact does.
func (r *Redactor) Redact(msg string) string { return redactSecrets(msg, r.secrets) }

// Writer returns a writer that writes to w what it is given, redacted.
// Each write is redacted on its own: give it whole messages (fmt.Fprintln,
// a log handler's records), or a password split across two writes is
// missed.
func (r *Redactor) Writer(w io.Writer) io.Writer { return redactingWriter{r, w} }

type redactingWriter struct {
	r *Redactor
	w io.Writer
}

// Write writes p redacted and reports all of p written when all of the
// redacted text was.
func (rw redactingWriter) Write(p []byte) (int, error) {
	if len(rw.r.secrets) == 0 {
		return rw.w.Write(p)
	}
	if _, err := io.WriteString(rw.w, rw.r.Redact(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// OtherArgs returns args without the value of flag name ("-name value",
// "--name value", "-name=value" or "--name=value", wherever they are), for
// a Redactor of the arguments other than the connection string's own.
func OtherArgs(args []string, name string) []string {
	var other []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-"+name || a == "--"+name:
			i++ // and its value
		case strings.HasPrefix(a, "-"+name+"=") || strings.HasPrefix(a, "--"+name+"="):
		default:
			other = append(other, a)
		}
	}
	return other
}
