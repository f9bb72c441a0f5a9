package socket

import (
	"fmt"
	"math"
	"net"
	"time"
)

// tcpOptions are the TCP-level settings of a socket (libzmq's ZMQ_SNDBUF,
// ZMQ_RCVBUF, ZMQ_TCP_KEEPALIVE*, ZMQ_TOS, ZMQ_BINDTODEVICE, ZMQ_IPV6).
// The zero value leaves everything as the operating system (and Go's net
// package) would, which is what a socket without these options gets.
type tcpOptions struct {
	sndbuf, rcvbuf int // bytes; 0: the OS default
	keepalive      Keepalive
	keepaliveSet   bool          // keepalive was given; otherwise KeepaliveDefault
	kaIdle, kaIntv time.Duration // 0: the OS default
	kaCount        int           // 0: the OS default
	tos            int           // 0: not set
	device         string        // "": not bound to a device
	ipv6           bool
}

// Keepalive is the TCP keep-alive mode, numbered as libzmq's
// ZMQ_TCP_KEEPALIVE.
type Keepalive int

// Keep-alive modes.
const (
	// KeepaliveDefault leaves SO_KEEPALIVE as Go's net package sets it:
	// on, with 15 s idle time and interval, for dialled and accepted
	// connections alike.
	KeepaliveDefault Keepalive = -1
	// KeepaliveOff turns keep-alive probes off.
	KeepaliveOff Keepalive = 0
	// KeepaliveOn turns them on; idle time, interval and count are those of
	// WithTCPKeepaliveIdle, WithTCPKeepaliveInterval and
	// WithTCPKeepaliveCount, or the operating system's defaults.
	KeepaliveOn Keepalive = 1
)

// Linux's limits for the keep-alive settings (MAX_TCP_KEEPIDLE,
// MAX_TCP_KEEPINTVL, MAX_TCP_KEEPCNT); other systems' are no smaller in
// practice, and a value the kernel would refuse fails early this way.
const (
	maxKeepaliveSecs  = 32767
	maxKeepaliveCount = 127
)

// errNoBindToDevice is the cause of WithBindToDevice's error where
// SO_BINDTODEVICE does not exist.
var errNoBindToDevice = fmt.Errorf("%w: SO_BINDTODEVICE exists only on Linux", ErrNotSupported)

// unsupportedOptionError is an option this platform lacks: it matches both
// ErrBadOption (through the *OptionError) and ErrNotSupported.
type unsupportedOptionError struct {
	*OptionError
	cause error
}

func (e *unsupportedOptionError) Unwrap() []error { return []error{e.OptionError, e.cause} }

// checkBuffer validates a ZMQ_SNDBUF / ZMQ_RCVBUF value.
func checkBuffer(name string, n int) (int, error) {
	switch {
	case n == -1 || n == 0:
		return 0, nil
	case n < 0:
		return 0, badOption(name, "must be -1 or 0 (the OS default) or a positive byte count")
	case n > math.MaxInt32:
		return 0, badOption(name, "over 2 GiB")
	}
	return n, nil
}

// WithSendBuffer sets the kernel send buffer of each TCP connection
// (SO_SNDBUF, libzmq's ZMQ_SNDBUF) to n bytes. -1 or 0, the default, keeps
// the operating system's size, which on Linux grows with the traffic; Linux
// reserves twice n and caps n at net.core.wmem_max. It is set on the
// listener too, so accepted connections start with it.
func WithSendBuffer(n int) Option {
	return func(o *options) (err error) {
		o.tcp.sndbuf, err = checkBuffer("SendBuffer", n)
		return err
	}
}

// WithRecvBuffer sets the kernel receive buffer (SO_RCVBUF, libzmq's
// ZMQ_RCVBUF) as WithSendBuffer does the send buffer. It is set before
// listen and connect, so the TCP window scale fits it.
func WithRecvBuffer(n int) Option {
	return func(o *options) (err error) {
		o.tcp.rcvbuf, err = checkBuffer("RecvBuffer", n)
		return err
	}
}

// WithTCPKeepalive sets the keep-alive mode of TCP connections (libzmq's
// ZMQ_TCP_KEEPALIVE): KeepaliveDefault, KeepaliveOff or KeepaliveOn.
func WithTCPKeepalive(mode Keepalive) Option {
	return func(o *options) error {
		if mode < KeepaliveDefault || mode > KeepaliveOn {
			return badOption("TCPKeepalive", fmt.Sprintf("mode %d: want -1 (default), 0 (off) or 1 (on)", mode))
		}
		o.tcp.keepalive, o.tcp.keepaliveSet = mode, true
		return nil
	}
}

// checkKeepaliveSecs validates a keep-alive time: whole seconds, as the
// kernel takes them.
func checkKeepaliveSecs(name string, d time.Duration) (time.Duration, error) {
	switch {
	case d == -1 || d == 0:
		return 0, nil
	case d < 0:
		return 0, badOption(name, "must not be negative")
	case d%time.Second != 0:
		return 0, badOption(name, "must be whole seconds")
	case d > maxKeepaliveSecs*time.Second:
		return 0, badOption(name, fmt.Sprintf("over %d s", maxKeepaliveSecs))
	}
	return d, nil
}

// WithTCPKeepaliveIdle sets how long a connection is idle before the first
// keep-alive probe (TCP_KEEPIDLE, libzmq's ZMQ_TCP_KEEPALIVE_IDLE), in
// whole seconds; 0 keeps the operating system's. It applies with
// KeepaliveOn.
func WithTCPKeepaliveIdle(d time.Duration) Option {
	return func(o *options) (err error) {
		o.tcp.kaIdle, err = checkKeepaliveSecs("TCPKeepaliveIdle", d)
		return err
	}
}

// WithTCPKeepaliveInterval sets the time between keep-alive probes
// (TCP_KEEPINTVL, libzmq's ZMQ_TCP_KEEPALIVE_INTVL), in whole seconds; 0
// keeps the operating system's. It applies with KeepaliveOn.
func WithTCPKeepaliveInterval(d time.Duration) Option {
	return func(o *options) (err error) {
		o.tcp.kaIntv, err = checkKeepaliveSecs("TCPKeepaliveInterval", d)
		return err
	}
}

// WithTCPKeepaliveCount sets how many unanswered probes drop the connection
// (TCP_KEEPCNT, libzmq's ZMQ_TCP_KEEPALIVE_CNT); -1 or 0 keeps the
// operating system's. It applies with KeepaliveOn.
func WithTCPKeepaliveCount(n int) Option {
	return func(o *options) error {
		switch {
		case n == -1 || n == 0:
			n = 0
		case n < 0 || n > maxKeepaliveCount:
			return badOption("TCPKeepaliveCount", fmt.Sprintf("must be 1 to %d (or -1, 0: the OS default)", maxKeepaliveCount))
		}
		o.tcp.kaCount = n
		return nil
	}
}

// WithTOS sets the type-of-service byte (DSCP and ECN bits) of outgoing
// packets: IP_TOS, and IPV6_TCLASS on IPv6 connections (libzmq's ZMQ_TOS).
// 0, the default, leaves it alone. On Windows, which ignores IP_TOS for
// ordinary programs, it has no effect.
func WithTOS(tos int) Option {
	return func(o *options) error {
		if tos < 0 || tos > 255 {
			return badOption("TOS", "must be 0 to 255")
		}
		o.tcp.tos = tos
		return nil
	}
}

// WithBindToDevice binds TCP listeners and connections to the network
// interface named iface (SO_BINDTODEVICE, libzmq's ZMQ_BINDTODEVICE), so
// they send and receive only through it whatever the routing table says;
// "" (the default) does not. Linux only: elsewhere New fails with an error
// matching ErrBadOption and ErrNotSupported. Linux allows it to root or
// with CAP_NET_RAW; otherwise Bind fails, and Connect keeps retrying, with
// an error matching syscall.EPERM.
func WithBindToDevice(iface string) Option {
	return func(o *options) error {
		if iface == "" {
			o.tcp.device = ""
			return nil
		}
		if !bindToDeviceSupported {
			return &unsupportedOptionError{badOption("BindToDevice", errNoBindToDevice.Error()).(*OptionError), errNoBindToDevice}
		}
		if len(iface) > 15 {
			return badOption("BindToDevice", "interface names are at most 15 bytes")
		}
		o.tcp.device = iface
		return nil
	}
}

// WithIPv6 lets TCP endpoints use IPv6 (libzmq's ZMQ_IPV6). Without it, as
// in libzmq, host and interface names resolve to IPv4 addresses and
// tcp://* binds 0.0.0.0; IPv6 literals such as tcp://[::1]:5555 work
// either way. With it, tcp://* binds [::] with IPV6_V6ONLY off, so the
// listener is reached over IPv6 and IPv4 alike, names resolve to either
// family, and an interface name gives the interface's IPv6 address when
// it has one.
func WithIPv6(on bool) Option {
	return func(o *options) error { o.tcp.ipv6 = on; return nil }
}

// keepaliveConfig maps the options onto Go's keep-alive settings: the
// KeepAlive field of net.Dialer and net.ListenConfig, and their
// KeepAliveConfig. A negative duration in the config leaves the OS value.
func (t *tcpOptions) keepaliveConfig() (time.Duration, net.KeepAliveConfig) {
	mode := KeepaliveDefault
	if t.keepaliveSet {
		mode = t.keepalive
	}
	switch mode {
	case KeepaliveOff:
		return -1, net.KeepAliveConfig{}
	case KeepaliveOn:
		orOS := func(d time.Duration) time.Duration {
			if d == 0 {
				return -1
			}
			return d
		}
		count := t.kaCount
		if count == 0 {
			count = -1
		}
		return 0, net.KeepAliveConfig{Enable: true, Idle: orOS(t.kaIdle), Interval: orOS(t.kaIntv), Count: count}
	}
	return 0, net.KeepAliveConfig{}
}

// sockoptError names the option a setsockopt failed on; it unwraps to the
// errno, so errors.Is(err, syscall.EPERM) holds.
func sockoptError(name string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("socket: set %s: %w", name, err)
}
