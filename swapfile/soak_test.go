//go:build soak

package swapfile

import "testing"

// TestSoakCrash is the long crash run (make soak): thousands of kills.
func TestSoakCrash(t *testing.T) {
	crashLoop(t, 5000)
}
