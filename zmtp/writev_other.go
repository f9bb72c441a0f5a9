//go:build unix && !linux

package zmtp

import "syscall"

// sysWrite is one write(2) of w.p; w.q follows once p is out.
func (w *waitWriter) sysWrite(fd int) (int, error) {
	n, err := syscall.Write(fd, w.p)
	if n < 0 {
		n = 0
	}
	return n, err
}
