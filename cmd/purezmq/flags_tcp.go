package main

import (
	"flag"
	"time"

	"github.com/purezmq/purezmq/socket"
)

// tcpFlags are the TCP transport's flags, named after libzmq's options
// (ZMQ_SNDBUF, ZMQ_TCP_KEEPALIVE, ZMQ_TOS, ZMQ_IPV6 ...).
type tcpFlags struct {
	sndbuf, rcvbuf  byteSize
	keepalive       int
	kaIdle, kaIntvl time.Duration
	kaCnt           int
	tos             int
	device          string
	ipv6            bool
}

func addTCPFlags(fs *flag.FlagSet, f *tcpFlags) {
	f.keepalive = int(socket.KeepaliveDefault)
	fs.Var(&f.sndbuf, "sndbuf", "tcp: kernel send buffer of each connection, `BYTES` (k, M, G suffixes; 0 = the OS default)")
	fs.Var(&f.rcvbuf, "rcvbuf", "tcp: kernel receive buffer of each connection, `BYTES` (0 = the OS default)")
	fs.IntVar(&f.keepalive, "tcp-keepalive", f.keepalive, "tcp: keep-alive probes `MODE`: -1 leaves the default, 0 off, 1 on")
	fs.DurationVar(&f.kaIdle, "tcp-keepalive-idle", 0, "tcp: with --tcp-keepalive 1, idle `DURATION` before the first probe (whole seconds; 0 = the OS default)")
	fs.DurationVar(&f.kaIntvl, "tcp-keepalive-intvl", 0, "tcp: with --tcp-keepalive 1, `DURATION` between probes (whole seconds; 0 = the OS default)")
	fs.IntVar(&f.kaCnt, "tcp-keepalive-cnt", 0, "tcp: with --tcp-keepalive 1, drop the connection after `N` unanswered probes (0 = the OS default)")
	fs.IntVar(&f.tos, "tos", 0, "tcp: IP type-of-service / IPv6 traffic class `BYTE` of outgoing packets (0-255)")
	fs.StringVar(&f.device, "bind-to-device", "", "tcp: send and receive only through network interface `IFACE` (Linux, needs CAP_NET_RAW)")
	fs.BoolVar(&f.ipv6, "ipv6", false, "tcp: allow IPv6; tcp://* then binds [::], reached over IPv6 and IPv4")
}

// options returns the socket options the flags ask for; unset flags add
// nothing, so the library's defaults stay.
func (f *tcpFlags) options() []socket.Option {
	var opts []socket.Option
	if f.sndbuf > 0 {
		opts = append(opts, socket.WithSendBuffer(int(min(f.sndbuf, 1<<31))))
	}
	if f.rcvbuf > 0 {
		opts = append(opts, socket.WithRecvBuffer(int(min(f.rcvbuf, 1<<31))))
	}
	if f.keepalive != int(socket.KeepaliveDefault) {
		opts = append(opts, socket.WithTCPKeepalive(socket.Keepalive(f.keepalive)))
	}
	if f.kaIdle != 0 {
		opts = append(opts, socket.WithTCPKeepaliveIdle(f.kaIdle))
	}
	if f.kaIntvl != 0 {
		opts = append(opts, socket.WithTCPKeepaliveInterval(f.kaIntvl))
	}
	if f.kaCnt != 0 {
		opts = append(opts, socket.WithTCPKeepaliveCount(f.kaCnt))
	}
	if f.tos != 0 {
		opts = append(opts, socket.WithTOS(f.tos))
	}
	if f.device != "" {
		opts = append(opts, socket.WithBindToDevice(f.device))
	}
	if f.ipv6 {
		opts = append(opts, socket.WithIPv6(true))
	}
	return opts
}

// check validates the values with the library's own rules (so the CLI and
// the library cannot disagree), by making and closing a socket with them.
func (f *tcpFlags) check() error {
	opts := f.options()
	if len(opts) == 0 {
		return nil
	}
	s, err := socket.New(socket.Pair, opts...)
	if err != nil {
		return err
	}
	return s.Close()
}
