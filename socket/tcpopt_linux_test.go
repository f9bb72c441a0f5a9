package socket

import (
	"errors"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// connRecorder collects the TCP connections sockets dial and accept while a
// test runs (through tcpConnHook). Tests using it must not run in parallel.
type connRecorder struct {
	mu                sync.Mutex
	accepted, dialled []*net.TCPConn
}

func recordTCPConns(t *testing.T) *connRecorder {
	t.Helper()
	r := &connRecorder{}
	f := func(c *net.TCPConn, accepted bool) {
		r.mu.Lock()
		defer r.mu.Unlock()
		if accepted {
			r.accepted = append(r.accepted, c)
		} else {
			r.dialled = append(r.dialled, c)
		}
	}
	tcpConnHook.Store(&f)
	t.Cleanup(func() { tcpConnHook.Store(nil) })
	return r
}

// both waits for one accepted and one dialled connection.
func (r *connRecorder) both(t *testing.T) (accepted, dialled *net.TCPConn) {
	t.Helper()
	waitFor(t, 5*time.Second, "an accepted and a dialled connection", func() bool {
		r.mu.Lock()
		defer r.mu.Unlock()
		return len(r.accepted) > 0 && len(r.dialled) > 0
	})
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.accepted[0], r.dialled[0]
}

func getsockoptInt(t *testing.T, c *net.TCPConn, level, opt int) int {
	t.Helper()
	rc, err := c.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var v int
	var serr error
	if err := rc.Control(func(fd uintptr) { v, serr = unix.GetsockoptInt(int(fd), level, opt) }); err != nil {
		t.Fatal(err)
	}
	if serr != nil {
		t.Fatalf("getsockopt(%d, %d): %v", level, opt, serr)
	}
	return v
}

func getsockoptString(t *testing.T, c *net.TCPConn, level, opt int) string {
	t.Helper()
	rc, err := c.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var v string
	var serr error
	if err := rc.Control(func(fd uintptr) { v, serr = unix.GetsockoptString(int(fd), level, opt) }); err != nil {
		t.Fatal(err)
	}
	if serr != nil {
		t.Fatalf("getsockopt(%d, %d): %v", level, opt, serr)
	}
	return v
}

// kernelMax reads a net.core limit: Linux caps SO_SNDBUF/SO_RCVBUF at it.
func kernelMax(t *testing.T, name string) int {
	t.Helper()
	b, err := os.ReadFile("/proc/sys/net/core/" + name)
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// tcpPair binds a PULL and connects a PUSH over tcp with the given options
// on both, proves a message passes, and returns the recorded connections.
func tcpPair(t *testing.T, bindEP string, opts ...Option) (accepted, dialled *net.TCPConn) {
	t.Helper()
	r := recordTCPConns(t)
	pull := newSock(t, Pull, opts...)
	if err := pull.Bind(bindEP); err != nil {
		t.Fatalf("Bind(%s): %v", bindEP, err)
	}
	push := newSock(t, Push, opts...)
	connectTo(t, push, pull.Endpoints()[0])
	send(t, push, "hello")
	expect(t, pull, "hello")
	return r.both(t)
}

// TestTCPSockoptsOnAcceptedAndDialled reads back SO_SNDBUF, SO_RCVBUF,
// keep-alive and IP_TOS from both ends of a connection.
func TestTCPSockoptsOnAcceptedAndDialled(t *testing.T) {
	const snd, rcv, tos = 48 << 10, 40 << 10, 0x28 // 0x28: DSCP AF11, ECN bits clear
	acc, dia := tcpPair(t, "tcp://127.0.0.1:0",
		WithSendBuffer(snd), WithRecvBuffer(rcv), WithTOS(tos),
		WithTCPKeepalive(KeepaliveOn), WithTCPKeepaliveIdle(7*time.Second),
		WithTCPKeepaliveInterval(3*time.Second), WithTCPKeepaliveCount(4))
	// Linux reserves twice what is asked (for its bookkeeping) and reports that.
	wantSnd := 2 * min(snd, kernelMax(t, "wmem_max"))
	wantRcv := 2 * min(rcv, kernelMax(t, "rmem_max"))
	for _, c := range []struct {
		name string
		c    *net.TCPConn
	}{{"accepted", acc}, {"dialled", dia}} {
		checks := []struct {
			what       string
			level, opt int
			want       int
		}{
			{"SO_SNDBUF", unix.SOL_SOCKET, unix.SO_SNDBUF, wantSnd},
			{"SO_RCVBUF", unix.SOL_SOCKET, unix.SO_RCVBUF, wantRcv},
			{"SO_KEEPALIVE", unix.SOL_SOCKET, unix.SO_KEEPALIVE, 1},
			{"TCP_KEEPIDLE", unix.IPPROTO_TCP, unix.TCP_KEEPIDLE, 7},
			{"TCP_KEEPINTVL", unix.IPPROTO_TCP, unix.TCP_KEEPINTVL, 3},
			{"TCP_KEEPCNT", unix.IPPROTO_TCP, unix.TCP_KEEPCNT, 4},
			{"IP_TOS", unix.IPPROTO_IP, unix.IP_TOS, tos},
		}
		for _, k := range checks {
			if got := getsockoptInt(t, c.c, k.level, k.opt); got != k.want {
				t.Errorf("%s connection: %s = %d, want %d", c.name, k.what, got, k.want)
			}
		}
	}
}

// TestTCPKeepaliveOffAndDefault: KeepaliveOff clears SO_KEEPALIVE on both
// ends; without the option Go's default (on, 15 s) stays.
func TestTCPKeepaliveOffAndDefault(t *testing.T) {
	t.Run("off", func(t *testing.T) {
		acc, dia := tcpPair(t, "tcp://127.0.0.1:0", WithTCPKeepalive(KeepaliveOff))
		for name, c := range map[string]*net.TCPConn{"accepted": acc, "dialled": dia} {
			if got := getsockoptInt(t, c, unix.SOL_SOCKET, unix.SO_KEEPALIVE); got != 0 {
				t.Errorf("%s: SO_KEEPALIVE = %d, want 0", name, got)
			}
		}
	})
	t.Run("default", func(t *testing.T) {
		acc, dia := tcpPair(t, "tcp://127.0.0.1:0")
		for name, c := range map[string]*net.TCPConn{"accepted": acc, "dialled": dia} {
			if got := getsockoptInt(t, c, unix.SOL_SOCKET, unix.SO_KEEPALIVE); got != 1 {
				t.Errorf("%s: SO_KEEPALIVE = %d, want Go's default 1", name, got)
			}
			if got := getsockoptInt(t, c, unix.IPPROTO_TCP, unix.TCP_KEEPIDLE); got != 15 {
				t.Errorf("%s: TCP_KEEPIDLE = %d, want Go's default 15", name, got)
			}
		}
	})
	t.Run("on-with-os-defaults", func(t *testing.T) {
		// Idle, interval and count unset: the kernel's values stay.
		want := procInt(t, "/proc/sys/net/ipv4/tcp_keepalive_time")
		acc, dia := tcpPair(t, "tcp://127.0.0.1:0", WithTCPKeepalive(KeepaliveOn))
		for name, c := range map[string]*net.TCPConn{"accepted": acc, "dialled": dia} {
			if got := getsockoptInt(t, c, unix.SOL_SOCKET, unix.SO_KEEPALIVE); got != 1 {
				t.Errorf("%s: SO_KEEPALIVE = %d, want 1", name, got)
			}
			if got := getsockoptInt(t, c, unix.IPPROTO_TCP, unix.TCP_KEEPIDLE); got != want {
				t.Errorf("%s: TCP_KEEPIDLE = %d, want the kernel's %d", name, got, want)
			}
		}
	})
}

func procInt(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestTCPTrafficClassIPv6: WithTOS sets IPV6_TCLASS on IPv6 connections.
func TestTCPTrafficClassIPv6(t *testing.T) {
	needIPv6Loopback(t)
	acc, dia := tcpPair(t, "tcp://[::1]:0", WithTOS(0x48))
	for name, c := range map[string]*net.TCPConn{"accepted": acc, "dialled": dia} {
		if got := getsockoptInt(t, c, unix.IPPROTO_IPV6, unix.IPV6_TCLASS); got != 0x48 {
			t.Errorf("%s: IPV6_TCLASS = %#x, want 0x48", name, got)
		}
	}
}

// TestTCPBindToDevice binds and connects through "lo". As root (or with
// CAP_NET_RAW) the option shows on both descriptors; otherwise Bind must
// fail with EPERM, not succeed silently.
func TestTCPBindToDevice(t *testing.T) {
	r := recordTCPConns(t)
	pull := newSock(t, Pull, WithBindToDevice("lo"))
	err := pull.Bind("tcp://127.0.0.1:0")
	if err != nil {
		if !errors.Is(err, syscall.EPERM) {
			t.Fatalf("Bind with BindToDevice(lo): %v, want success or EPERM", err)
		}
		t.Logf("not permitted here, and Bind says so: %v", err)
		return
	}
	push := newSock(t, Push, WithBindToDevice("lo"))
	connectTo(t, push, pull.Endpoints()[0])
	send(t, push, "via lo")
	expect(t, pull, "via lo")
	acc, dia := r.both(t)
	skipIfEmulatorLacksBindToDeviceGet(t)
	for name, c := range map[string]*net.TCPConn{"accepted": acc, "dialled": dia} {
		if got := getsockoptString(t, c, unix.SOL_SOCKET, unix.SO_BINDTODEVICE); got != "lo" {
			t.Errorf("%s: SO_BINDTODEVICE = %q, want lo", name, got)
		}
	}

	// A device that does not exist fails the bind with the kernel's ENODEV.
	bad := newSock(t, Pull, WithBindToDevice("nosuchdev9"))
	if err := bad.Bind("tcp://127.0.0.1:0"); !errors.Is(err, syscall.ENODEV) {
		t.Fatalf("Bind with BindToDevice(nosuchdev9): %v, want ENODEV", err)
	}
}

// TestTCPInterfaceNameBind: tcp://lo:0 binds lo's address (127.0.0.1, or
// ::1 with IPv6) without a DNS lookup, and peers reach it there.
func TestTCPInterfaceNameBind(t *testing.T) {
	skipIfEmulatorLacksNetlink(t)
	pull := newSock(t, Pull)
	if err := pull.Bind("tcp://lo:0"); err != nil {
		t.Fatalf("Bind(tcp://lo:0): %v", err)
	}
	ep := pull.Endpoints()[0]
	if !strings.HasPrefix(ep, "tcp://127.0.0.1:") {
		t.Fatalf("tcp://lo:0 resolved to %s, want lo's 127.0.0.1", ep)
	}
	push := newSock(t, Push)
	connectTo(t, push, ep)
	send(t, push, "to lo")
	expect(t, pull, "to lo")

	needIPv6Loopback(t)
	pull6 := newSock(t, Pull, WithIPv6(true))
	if err := pull6.Bind("tcp://lo:0"); err != nil {
		t.Fatalf("Bind(tcp://lo:0) with IPv6: %v", err)
	}
	if ep := pull6.Endpoints()[0]; !strings.HasPrefix(ep, "tcp://[::1]:") {
		t.Fatalf("tcp://lo:0 with IPv6 resolved to %s, want lo's ::1", ep)
	}
}

// TestTCPSourceAddress connects from chosen source addresses (all of
// 127.0.0.0/8 is loopback on Linux): the accepting side sees the peer at
// that address, and at that port when one is given.
func TestTCPSourceAddress(t *testing.T) {
	srcPort := freeTCPPort(t, "127.0.0.3")
	cases := []struct {
		src, wantHost, wantPort string
	}{
		{"127.0.0.2:0", "127.0.0.2", ""},
		{"127.0.0.2", "127.0.0.2", ""},
		{"127.0.0.3:" + srcPort, "127.0.0.3", srcPort},
		{"lo", "127.0.0.1", ""},
		{"*:0", "127.0.0.1", ""},
	}
	for _, c := range cases {
		t.Run(c.src, func(t *testing.T) {
			if c.src == "lo" {
				skipIfEmulatorLacksNetlink(t)
			}
			pull := newSock(t, Pull)
			if err := pull.Bind("tcp://127.0.0.1:0"); err != nil {
				t.Fatal(err)
			}
			dst := strings.TrimPrefix(pull.Endpoints()[0], "tcp://")
			push := newSock(t, Push)
			connectTo(t, push, "tcp://"+c.src+";"+dst)
			e := waitEvent(t, pull, EventAccepted, 5*time.Second)
			host, port, err := net.SplitHostPort(e.Peer)
			if err != nil {
				t.Fatal(err)
			}
			if host != c.wantHost || (c.wantPort != "" && port != c.wantPort) {
				t.Fatalf("peer address %s, want %s:%s", e.Peer, c.wantHost, c.wantPort)
			}
			send(t, push, "from "+c.src)
			expect(t, pull, "from "+c.src)
		})
	}
}

// freeTCPPort returns a port free on host just now.
func freeTCPPort(t *testing.T, host string) string {
	t.Helper()
	ln, err := net.Listen("tcp4", host+":0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}

// TestTCPTOSDualStack: on a dual-stack listener, a connection from an IPv4
// peer still carries the TOS byte (IP_TOS set on the IPv6 socket as well
// as IPV6_TCLASS), and the buffers carry over to it.
func TestTCPTOSDualStack(t *testing.T) {
	needIPv6Loopback(t)
	r := recordTCPConns(t)
	pull := newSock(t, Pull, WithIPv6(true), WithTOS(0x28), WithRecvBuffer(40<<10))
	if err := pull.Bind("tcp://*:0"); err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(pull.Endpoints()[0], "tcp://"))
	push := newSock(t, Push, WithTOS(0x28))
	connectTo(t, push, "tcp://127.0.0.1:"+port)
	send(t, push, "v4 to v6")
	expect(t, pull, "v4 to v6")
	acc, _ := r.both(t)
	if got := getsockoptInt(t, acc, unix.IPPROTO_IP, unix.IP_TOS); got != 0x28 {
		t.Errorf("accepted IPv4-mapped connection: IP_TOS = %#x, want 0x28", got)
	}
	if got := getsockoptInt(t, acc, unix.IPPROTO_IPV6, unix.IPV6_TCLASS); got != 0x28 {
		t.Errorf("accepted connection: IPV6_TCLASS = %#x, want 0x28", got)
	}
	if got, want := getsockoptInt(t, acc, unix.SOL_SOCKET, unix.SO_RCVBUF), 2*min(40<<10, kernelMax(t, "rmem_max")); got != want {
		t.Errorf("accepted connection: SO_RCVBUF = %d, want %d", got, want)
	}
}
