package socket

import (
	"context"
	"net"
	"path/filepath"
	"syscall"
	"testing"
)

// sendBuffer returns nc's SO_SNDBUF as the kernel reports it (Linux
// doubles what was asked for).
func sendBuffer(t *testing.T, nc net.Conn) int {
	t.Helper()
	rc, err := nc.(syscall.Conn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var n int
	var serr error
	if err := rc.Control(func(fd uintptr) {
		n, serr = syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_SNDBUF)
	}); err != nil {
		t.Fatal(err)
	}
	if serr != nil {
		t.Fatal(serr)
	}
	return n
}

// Both ends of an ipc connection get the send buffer: defaultIPCSendBuffer,
// or what WithSendBuffer asked for.
func TestIPCSendBuffer(t *testing.T) {
	for _, tc := range []struct {
		name string
		opt  tcpOptions
		want int
	}{
		{"default", tcpOptions{}, defaultIPCSendBuffer},
		{"option", tcpOptions{sndbuf: 96 << 10}, 96 << 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ep, err := parseEndpoint("ipc://"+filepath.Join(t.TempDir(), "s"), true)
			if err != nil {
				t.Fatal(err)
			}
			ln, _, err := listenIPC(ep, &tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			acc := make(chan net.Conn, 1)
			go func() {
				nc, _ := ln.Accept()
				acc <- nc
			}()
			dialled, err := dialIPC(context.Background(), ep, &tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			defer dialled.Close()
			accepted := <-acc
			if accepted == nil {
				t.Fatal("accept failed")
			}
			defer accepted.Close()
			for _, nc := range []net.Conn{dialled, accepted} {
				if got := sendBuffer(t, nc); got < tc.want {
					t.Errorf("SO_SNDBUF %d, want at least %d", got, tc.want)
				}
			}
		})
	}
}
