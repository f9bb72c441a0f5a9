package main

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"
)

func TestTCPFlagsBadValuesExit2(t *testing.T) {
	cases := []struct {
		flag, value, want string
	}{
		{"--tcp-keepalive", "3", "TCPKeepalive"},
		{"--tcp-keepalive-idle", "1500ms", "TCPKeepaliveIdle"},
		{"--tcp-keepalive-intvl", "-2s", "TCPKeepaliveInterval"},
		{"--tcp-keepalive-cnt", "200", "TCPKeepaliveCount"},
		{"--tos", "300", "TOS"},
		{"--bind-to-device", "an-interface-name-too-long", "BindToDevice"},
		{"--sndbuf", "lots", "byte count"},
	}
	for _, c := range cases {
		t.Run(c.flag, func(t *testing.T) {
			code, _, stderr := runCLI(t, "", "pull", "--bind", "tcp://127.0.0.1:1", c.flag, c.value)
			if code != exitUsage {
				t.Fatalf("exit %d, want %d; stderr %q", code, exitUsage, stderr)
			}
			if !strings.Contains(stderr, c.want) {
				t.Errorf("stderr %q lacks %q", stderr, c.want)
			}
		})
	}
}

func TestTCPFlagsParse(t *testing.T) {
	c, err := parseSocketFlags("push", []string{"--connect", "tcp://127.0.0.1:1",
		"--sndbuf", "64k", "--rcvbuf", "32k", "--tcp-keepalive", "1", "--tcp-keepalive-idle", "30s",
		"--tcp-keepalive-intvl", "5s", "--tcp-keepalive-cnt", "3", "--tos", "40", "--ipv6"}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := tcpFlags{sndbuf: 64 << 10, rcvbuf: 32 << 10, keepalive: 1, kaIdle: 30 * time.Second,
		kaIntvl: 5 * time.Second, kaCnt: 3, tos: 40, ipv6: true}
	if c.tcp != want {
		t.Fatalf("parsed %+v, want %+v", c.tcp, want)
	}
	if n := len(c.tcp.options()); n != 8 {
		t.Fatalf("%d socket options, want 8", n)
	}
	d, err := parseSocketFlags("push", []string{"--connect", "tcp://127.0.0.1:1"}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(d.tcp.options()); n != 0 {
		t.Fatalf("no TCP flags gave %d options, want none", n)
	}
}

// TestIPv6FlagDualStack: pull --ipv6 --bind tcp://*:PORT takes messages
// from a push over 127.0.0.1 and one over ::1.
func TestIPv6FlagDualStack(t *testing.T) {
	ln, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback on this machine: %v", err)
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	ln.Close()
	pull := goRun(t, context.Background(), "", "pull", "--ipv6", "--bind", "tcp://*:"+port,
		"--count", "2", "--timeout", "15s", "--tcp-keepalive", "1", "--sndbuf", "64k", "--tos", "40")
	for _, host := range []string{"127.0.0.1", "[::1]"} {
		code, _, stderr := runCLI(t, "over "+host+"\n", "push", "--ipv6", "--connect", "tcp://"+host+":"+port)
		if code != exitOK {
			t.Fatalf("push over %s: exit %d: %s", host, code, stderr)
		}
	}
	r := await(t, pull)
	if r.code != exitOK {
		t.Fatalf("pull: exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "over 127.0.0.1\n") || !strings.Contains(r.stdout, "over [::1]\n") {
		t.Fatalf("pull printed %q, want a line over each family", r.stdout)
	}
}
