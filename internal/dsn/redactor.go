package dsn

import "io"

// A Redactor hides the passwords of several connection strings at once
// (Redact for each): those of a command line and its environment, for
// everything a program prints, so that a string given in the wrong place
// (a positional argument, another flag's value) is hidden too.
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
