package socket

import (
	"net"
	"os"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/purezmq/purezmq/internal/emulation"
)

// Two Linux facilities that qemu-user (7.2) does not translate for the
// guest, probed with the same calls the tests make. Natively these helpers
// never skip: only under an emulator (PUREZMQ_EMULATED, set by make
// test-arm) and only when the probe fails there, although the kernel under
// it supports the call (the same program built for the host succeeds).

// skipIfEmulatorLacksBindToDeviceGet: qemu's getsockopt answers EINVAL for
// SO_BINDTODEVICE, which it forwards for setsockopt.
func skipIfEmulatorLacksBindToDeviceGet(t *testing.T) {
	t.Helper()
	if !emulation.Active() {
		return
	}
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	if err := unix.SetsockoptString(fd, unix.SOL_SOCKET, unix.SO_BINDTODEVICE, "lo"); err != nil {
		return // not permitted: the test handles that itself
	}
	if got, err := unix.GetsockoptString(fd, unix.SOL_SOCKET, unix.SO_BINDTODEVICE); err != nil || got != "lo" {
		t.Skipf("emulator %s does not translate getsockopt(SO_BINDTODEVICE): set succeeded, get gave %q, %v", emulation.Emulator(), got, err)
	}
}

// skipIfEmulatorLacksNetlink: a cross-endian qemu (s390x on x86) hands the
// guest the kernel's netlink route messages unconverted, so the interface
// list fails to parse although /sys shows lo.
func skipIfEmulatorLacksNetlink(t *testing.T) {
	t.Helper()
	if !emulation.Active() {
		return
	}
	if _, err := os.Stat("/sys/class/net/lo"); err != nil {
		return
	}
	if _, err := net.InterfaceByName("lo"); err != nil {
		t.Skipf("emulator %s does not translate netlink route messages: the kernel has lo (/sys/class/net/lo) but the interface list fails: %v", emulation.Emulator(), err)
	}
}
