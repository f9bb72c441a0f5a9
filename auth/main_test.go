package auth

import (
	"testing"

	"go.uber.org/goleak"
)

// The package starts goroutines only inside Resolve; the leak check holds
// every test to ending them.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
