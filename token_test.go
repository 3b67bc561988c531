package sessionsql

import (
	"strings"
	"testing"
)

func TestValidToken(t *testing.T) {
	for tok, want := range map[string]bool{
		"":    false,
		"abc": true,
		"wEFEnUOD_q6VyIWkX_IUNWc8RDsvOl1Wg0u7T9u4Vpc": true,
		strings.Repeat("x", MaxTokenLength):           true,
		strings.Repeat("x", MaxTokenLength+1):         false,
		"a\x00b":                                      false,
		"\xff":                                        false,
		"ünïcødé":                                     true,
	} {
		if got := ValidToken(tok); got != want {
			t.Errorf("ValidToken(%.20q) = %v, want %v", tok, got, want)
		}
	}
}
