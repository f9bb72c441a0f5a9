//go:build unix

package swapfile

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// lockFile takes an exclusive advisory lock so that two Rings never write
// the same file. flock locks belong to the open file description, so a
// second Open in the same process conflicts too, and the kernel drops the
// lock when a killed process's descriptors close.
func lockFile(f *os.File) error {
	for {
		err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, unix.EWOULDBLOCK):
			return ErrLocked
		case errors.Is(err, unix.EINTR):
			continue
		case errors.Is(err, unix.ENOTSUP), errors.Is(err, unix.ENOLCK):
			return nil // filesystem without locks: proceed unguarded
		default:
			return err
		}
	}
}
