package sqlident

import (
	"strings"
	"testing"
)

func TestParseAccepts(t *testing.T) {
	for name, want := range map[string]string{
		"sessions":              `"sessions"`,
		"app.sessions":          `"app"."sessions"`,
		"_x9":                   `"_x9"`,
		"Mixed_Case":            `"Mixed_Case"`,
		strings.Repeat("a", 63): `"` + strings.Repeat("a", 63) + `"`,
	} {
		n, err := Parse(name)
		if err != nil {
			t.Errorf("Parse(%q): %v", name, err)
			continue
		}
		if n.Quoted() != want || n.String() != name {
			t.Errorf("Parse(%q) = %s / %s, want %s / %s", name, n.Quoted(), n.String(), want, name)
		}
	}
}

func TestParseRejects(t *testing.T) {
	for _, name := range []string{
		"", ".", "a.", ".a", "a.b.c", "1a", "a-b", "a b", `a"b`, "a;b", "a'b",
		"sessions; DROP TABLE users; --", "ünï", "a\x00", strings.Repeat("a", 64),
	} {
		if n, err := Parse(name); err == nil {
			t.Errorf("Parse(%q) = %v, want an error", name, n)
		}
	}
}
