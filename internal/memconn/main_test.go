package memconn

import (
	"testing"

	"go.uber.org/goleak"
)

// The package owns no goroutines; the leak check holds every test to that.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
