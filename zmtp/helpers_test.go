package zmtp

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

// hx decodes hex with spaces and "|" separators allowed, for readable goldens.
func hx(t testing.TB, s string) []byte {
	t.Helper()
	s = strings.NewReplacer(" ", "", "\n", "", "\t", "", "|", "").Replace(s)
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

// cat joins byte strings.
func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// checkPrefixes runs parse on every proper prefix of valid and requires a
// clean error that matches want (never a panic, never success).
func checkPrefixes(t *testing.T, valid []byte, want error, parse func([]byte) error) {
	t.Helper()
	for i := 0; i < len(valid); i++ {
		err := parse(valid[:i])
		if err == nil {
			t.Fatalf("prefix of %d/%d bytes parsed without error", i, len(valid))
		}
		if want != nil && !errors.Is(err, want) {
			t.Fatalf("prefix of %d/%d bytes: got %v, want %v", i, len(valid), err, want)
		}
	}
}
