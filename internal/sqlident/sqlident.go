// Package sqlident validates and quotes the SQL identifiers (table and
// schema names) that sessionsql splices into query text. Query text is built
// once, in a store's constructor, and never from request data.
package sqlident

import (
	"fmt"
	"regexp"
	"strings"
)

// partPattern is deliberately strict: a letter or underscore, then letters,
// digits or underscores, at most 63 bytes (PostgreSQL's NAMEDATALEN-1).
var partPattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,62}$`)

// Name is a validated, possibly schema-qualified table name.
type Name struct {
	Schema string // empty when unqualified
	Table  string
}

// Parse validates name, which is "table" or "schema.table", and returns its
// parts. It rejects anything else, including quotes, spaces and semicolons,
// with an error that says what is allowed.
func Parse(name string) (Name, error) {
	if name == "" {
		return Name{}, fmt.Errorf("table name is empty")
	}
	parts := strings.Split(name, ".")
	if len(parts) > 2 {
		return Name{}, fmt.Errorf("table name %q has more than one dot; use \"table\" or \"schema.table\"", name)
	}
	for _, p := range parts {
		if !partPattern.MatchString(p) {
			return Name{}, fmt.Errorf("table name %q is not allowed: each part must start with a letter or underscore and hold only letters, digits and underscores (at most 63)", name)
		}
	}
	if len(parts) == 2 {
		return Name{Schema: parts[0], Table: parts[1]}, nil
	}
	return Name{Table: parts[0]}, nil
}

// Quoted returns the name as a double-quoted SQL identifier, schema first
// when there is one: "schema"."table".
func (n Name) Quoted() string {
	if n.Schema == "" {
		return quote(n.Table)
	}
	return quote(n.Schema) + "." + quote(n.Table)
}

// String returns the name as the user wrote it, unquoted.
func (n Name) String() string {
	if n.Schema == "" {
		return n.Table
	}
	return n.Schema + "." + n.Table
}

func quote(part string) string { return `"` + part + `"` }
