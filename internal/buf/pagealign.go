package buf

import "unsafe"

// How large bodies meet the kernel's copy.
//
// A TCP send copies the caller's bytes into the socket's page fragment,
// continuing where the previous send stopped, or at the start of a page
// when everything sent before has been read by the peer (the fragment is
// then reused from its beginning). On the 2-core AMD EPYC machines we
// measure on, that copy (the kernel's copy_from_user, a `rep movsb`) runs
// two to three times slower when source and destination sit a few bytes
// apart modulo the page size: a 1 MiB body written right behind its 11-byte
// header to an idle connection took 0.85 ms one way instead of 0.3 ms, and
// a 64 KiB one 65 us instead of 34 us (ping-pong over loopback, the same
// code with and without the header). libzmq escapes by accident: malloc puts
// its message data 56 bytes into a page and its encoder sends the first
// 8 KiB from its own buffer. Two things follow for zmtp.FrameWriter:
//
//   - A body that goes out alone on a drained connection (drained, see zmtp/frame.go) is
//     copied behind its header into one staging buffer when its page offset
//     would put it within copyHazard of where the kernel writes it. The copy
//     in user space costs a fraction of what it saves.
//   - While frames stream, each write of a large body ends on a page
//     boundary of the stream, and the body's last few bytes wait in the
//     buffer for the next write, so the kernel's fragments stay page
//     aligned (bare TCP with 9-byte headers, 64 KiB writes: about 9% more
//     throughput and less CPU on both ends when cut this way).
const (
	PageSize = 4096
	PageMask = PageSize - 1
	// hazardDistance is how close (in bytes, modulo the page size, either
	// way, but not equal) source and destination may be before the copy
	// slows down: 11 and -37 were slow, -45 and -53 were not.
	hazardDistance = 48
)

// PageOffset is where b starts within its memory page.
func PageOffset(b []byte) int {
	return int(uintptr(unsafe.Pointer(unsafe.SliceData(b))) & PageMask)
}

// CopyHazard reports whether body, written after pre bytes at the start of
// a kernel page, would be copied at an unlucky distance from its source.
func CopyHazard(pre int, body []byte) bool {
	d := (pre - PageOffset(body)) & PageMask
	return d != 0 && (d < hazardDistance || d > PageSize-hazardDistance)
}

// PageCut returns how much of a body of n bytes to write now so that a write
// starting at stream position pos, with pre bytes before the body, ends on
// a page boundary of the stream. It returns n when the remainder would not
// be worth holding back (the body is shorter than a page).
func PageCut(pos int64, pre, n int) int {
	tail := int((pos + int64(pre) + int64(n)) & PageMask)
	if tail >= n {
		return n
	}
	return n - tail
}
