//go:build !unix

package swapfile

import "os"

// lockFile is a no-op off unix: there nothing stops two Rings from opening
// one file, and callers must not do so.
func lockFile(f *os.File) error { return nil }
