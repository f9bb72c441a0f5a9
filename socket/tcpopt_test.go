package socket

import (
	"errors"
	"math"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

// needIPv6Loopback skips when the machine has no ::1 (an IPv6-less
// container): there is nothing to test then, and the reason is printed.
func needIPv6Loopback(t *testing.T) {
	t.Helper()
	ln, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback on this machine: %v", err)
	}
	ln.Close()
}

// TestTCPDualStackBind: with IPv6 on, tcp://* listens on [::] and peers
// reach it over ::1 and over 127.0.0.1; without it, tcp://* is IPv4 only.
func TestTCPDualStackBind(t *testing.T) {
	needIPv6Loopback(t)
	pull := newSock(t, Pull, WithIPv6(true))
	if err := pull.Bind("tcp://*:0"); err != nil {
		t.Fatalf("Bind(tcp://*:0) with IPv6: %v", err)
	}
	ep := pull.Endpoints()[0]
	if !strings.HasPrefix(ep, "tcp://[::]:") {
		t.Fatalf("dual-stack bind resolved to %s, want tcp://[::]:port", ep)
	}
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(ep, "tcp://"))
	for _, host := range []string{"127.0.0.1", "[::1]"} {
		push := newSock(t, Push, WithIPv6(true))
		connectTo(t, push, "tcp://"+host+":"+port)
		send(t, push, "over "+host)
		expect(t, pull, "over "+host)
		e := waitEvent(t, pull, EventAccepted, 5*time.Second)
		peer, _, _ := net.SplitHostPort(e.Peer)
		if ip := net.ParseIP(peer); ip == nil || ip.IsLoopback() == false {
			t.Fatalf("peer over %s came from %s", host, e.Peer)
		}
	}

	v4 := newSock(t, Pull)
	if err := v4.Bind("tcp://*:0"); err != nil {
		t.Fatal(err)
	}
	if ep := v4.Endpoints()[0]; !strings.HasPrefix(ep, "tcp://0.0.0.0:") {
		t.Fatalf("tcp://* without IPv6 resolved to %s, want 0.0.0.0", ep)
	}
}

// TestTCPOptionValuesRefused: out-of-range TCP option values fail New with
// an *OptionError naming the option.
func TestTCPOptionValuesRefused(t *testing.T) {
	cases := []struct {
		name string
		opt  Option
	}{
		{"SendBuffer", WithSendBuffer(-2)},
		{"RecvBuffer", WithRecvBuffer(-5)},
		{"TCPKeepalive", WithTCPKeepalive(2)},
		{"TCPKeepalive", WithTCPKeepalive(-2)},
		{"TCPKeepaliveIdle", WithTCPKeepaliveIdle(1500 * time.Millisecond)},
		{"TCPKeepaliveIdle", WithTCPKeepaliveIdle(-time.Second)},
		{"TCPKeepaliveInterval", WithTCPKeepaliveInterval(40000 * time.Second)},
		{"TCPKeepaliveCount", WithTCPKeepaliveCount(128)},
		{"TCPKeepaliveCount", WithTCPKeepaliveCount(-3)},
		{"TOS", WithTOS(256)},
		{"TOS", WithTOS(-1)},
		{"BindToDevice", WithBindToDevice("a-name-over-15-bytes")},
	}
	if over := int64(math.MaxInt32) + 1; strconv.IntSize == 64 {
		cases = append(cases, struct {
			name string
			opt  Option
		}{"SendBuffer", WithSendBuffer(int(over))})
	}
	for _, c := range cases {
		_, err := New(Pull, c.opt)
		var oe *OptionError
		if !errors.As(err, &oe) || !errors.Is(err, ErrBadOption) || oe.Option != c.name {
			t.Errorf("%s: New gave %v, want an *OptionError for %s", c.name, err, c.name)
		}
	}
	// The defaults' spellings are accepted.
	for _, o := range []Option{WithSendBuffer(-1), WithRecvBuffer(0), WithTCPKeepalive(KeepaliveDefault),
		WithTCPKeepaliveIdle(0), WithTCPKeepaliveCount(-1), WithTOS(0), WithBindToDevice("")} {
		s, err := New(Pull, o)
		if err != nil {
			t.Fatalf("a default value refused: %v", err)
		}
		s.Close()
	}
}

// TestTCPSourceEndpointsRefused: malformed tcp://src;dst endpoints fail
// Connect with ErrBadEndpoint, and a source on Bind is refused.
func TestTCPSourceEndpointsRefused(t *testing.T) {
	s := newSock(t, Push)
	for _, ep := range []string{
		"tcp://;127.0.0.1:5555",
		"tcp://127.0.0.2:70000;127.0.0.1:5555",
		"tcp://127.0.0.2:x;127.0.0.1:5555",
		"tcp://no-such-interface-9;127.0.0.1:5555", // neither IP nor interface: no DNS for sources
		"tcp://a:b:c;127.0.0.1:5555",
		"tcp://127.0.0.2:0;127.0.0.1",
		"tcp://127.0.0.2:0;127.0.0.1:0",
	} {
		err := s.Connect(ep)
		var ee *EndpointError
		if !errors.Is(err, ErrBadEndpoint) || !errors.As(err, &ee) {
			t.Errorf("Connect(%s): %v, want ErrBadEndpoint", ep, err)
		}
	}
	if err := s.Bind("tcp://127.0.0.2:0;127.0.0.1:0"); !errors.Is(err, ErrBadEndpoint) {
		t.Errorf("Bind with a source: %v, want ErrBadEndpoint", err)
	}
}

// TestTCPSourceParse covers the source spellings libzmq accepts.
func TestTCPSourceParse(t *testing.T) {
	for src, want := range map[string]string{
		"127.0.0.2:4000": "127.0.0.2:4000",
		"127.0.0.2":      "127.0.0.2:0",
		"*:4000":         "*:4000",
		"*":              "*:0",
		"[::1]:7":        "[::1]:7",
		"[::1]":          "[::1]:0",
		"::1":            "[::1]:0",
		"10.0.0.1:*":     "10.0.0.1:0",
	} {
		got, reason := parseTCPSource(src)
		if got != want || reason != "" {
			t.Errorf("parseTCPSource(%q) = %q, %q; want %q", src, got, reason, want)
		}
	}
}
