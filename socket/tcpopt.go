package socket

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
)

// tcpConnHook, when set (by tests), sees every TCP connection a socket
// dials or accepts, before the handshake: tests read the options back from
// the descriptor with getsockopt.
var tcpConnHook atomic.Pointer[func(c *net.TCPConn, accepted bool)]

// needsControl reports whether a socket option must be set on the raw
// descriptor before bind or connect.
func (t *tcpOptions) needsControl() bool {
	return t.sndbuf != 0 || t.rcvbuf != 0 || t.tos != 0 || t.device != ""
}

// control is the Control function of net.ListenConfig and net.Dialer: it
// runs on the new descriptor before bind (listeners) or connect (dials).
// Options set on a listener carry over to the connections it accepts.
func (t *tcpOptions) control(network, _ string, c syscall.RawConn) error {
	var serr error
	if err := c.Control(func(fd uintptr) { serr = setTCPSockopts(fd, network, t) }); err != nil {
		return err
	}
	return serr
}

// listenTCPWith listens on a tcp endpoint with the socket's TCP options.
func listenTCPWith(ep endpoint, t *tcpOptions) (net.Listener, error) {
	network, addr := t.listenAddr(ep)
	ka, kac := t.keepaliveConfig()
	lc := net.ListenConfig{KeepAlive: ka, KeepAliveConfig: kac}
	if t.needsControl() {
		lc.Control = t.control
	}
	ln, err := lc.Listen(context.Background(), network, addr)
	if err != nil {
		return nil, err
	}
	if tcpConnHook.Load() != nil {
		return hookListener{ln.(*net.TCPListener)}, nil
	}
	return ln, nil
}

// dialTCPWith dials a tcp endpoint with the socket's TCP options, from its
// source address when it has one.
func dialTCPWith(ctx context.Context, ep endpoint, t *tcpOptions) (net.Conn, error) {
	ka, kac := t.keepaliveConfig()
	d := net.Dialer{KeepAlive: ka, KeepAliveConfig: kac}
	if t.needsControl() {
		d.Control = t.control
	}
	if ep.src != "" {
		la, err := t.sourceAddr(ep.src)
		if err != nil {
			return nil, err
		}
		d.LocalAddr = la
	}
	// Go turns Nagle off on TCP connections by default, as libzmq does.
	nc, err := d.DialContext(ctx, t.dialNetwork(ep), ep.addr)
	if err != nil {
		return nil, err
	}
	if h := tcpConnHook.Load(); h != nil {
		(*h)(nc.(*net.TCPConn), false)
	}
	return nc, nil
}

// hookListener shows accepted connections to tcpConnHook.
type hookListener struct{ *net.TCPListener }

func (l hookListener) Accept() (net.Conn, error) {
	c, err := l.AcceptTCP()
	if err != nil {
		return nil, err
	}
	if h := tcpConnHook.Load(); h != nil {
		(*h)(c, true)
	}
	return c, nil
}

// listenAddr picks the network and address to listen on: [::] for the
// wildcard with IPv6 on (Go leaves IPV6_V6ONLY off for a wildcard "tcp"
// listener, so it is dual-stack), an interface's address for an interface
// name (libzmq tries interface names before DNS when binding), and IPv4
// only for host names without IPv6.
func (t *tcpOptions) listenAddr(ep endpoint) (network, addr string) {
	host, port, _ := net.SplitHostPort(ep.addr)
	switch {
	case ep.wildcard && t.ipv6:
		return "tcp", net.JoinHostPort("::", port)
	case ep.wildcard:
		return "tcp4", ep.addr
	}
	if ip := interfaceAddr(host, t.ipv6); ip != "" {
		return "tcp", net.JoinHostPort(ip, port)
	}
	return t.hostNetwork(host), ep.addr
}

// dialNetwork is "tcp4" for a host name without IPv6, as libzmq resolves
// names to IPv4 addresses only then; IP literals keep their own family.
func (t *tcpOptions) dialNetwork(ep endpoint) string {
	host, _, _ := net.SplitHostPort(ep.addr)
	return t.hostNetwork(host)
}

func (t *tcpOptions) hostNetwork(host string) string {
	if t.ipv6 || net.ParseIP(stripZone(host)) != nil {
		return "tcp"
	}
	return "tcp4"
}

func stripZone(host string) string {
	h, _, _ := strings.Cut(host, "%")
	return h
}

// interfaceAddr returns the address of the network interface named name
// ("" when there is no such interface or it has no usable address): its
// first IPv4 address, or with ipv6 its first IPv6 address (then IPv4 if it
// has none). A link-local IPv6 address carries the interface as its zone.
func interfaceAddr(name string, ipv6 bool) string {
	if name == "" || name == "*" || net.ParseIP(stripZone(name)) != nil {
		return ""
	}
	ifi, err := net.InterfaceByName(name)
	if err != nil {
		return ""
	}
	addrs, err := ifi.Addrs()
	if err != nil {
		return ""
	}
	var v4, v6 string
	for _, a := range addrs {
		ipn, ok := a.(*net.IPNet)
		if !ok {
			continue
		}
		switch {
		case ipn.IP.To4() != nil && v4 == "":
			v4 = ipn.IP.String()
		case ipn.IP.To4() == nil && v6 == "":
			v6 = ipn.IP.String()
			if ipn.IP.IsLinkLocalUnicast() {
				v6 += "%" + name
			}
		}
	}
	if ipv6 && v6 != "" {
		return v6
	}
	return v4
}

// errNoSource is a source address that is neither an IP address, an
// interface with an address, nor *.
var errNoSource = errors.New("socket: source is not an IP address, *, or an interface with an address")

// parseTCPSource checks the source part of tcp://src;dst and returns it as
// host:port (port 0 when none was given). As in libzmq the host is an IP
// address, an interface name or *, never a name to look up: a dial must
// not wait for DNS to pick its own address.
func parseTCPSource(src string) (string, string) {
	host, port := src, "0"
	if h, p, err := net.SplitHostPort(src); err == nil {
		host, port = h, p
	} else if strings.HasPrefix(src, "[") && strings.HasSuffix(src, "]") {
		host = src[1 : len(src)-1]
	} else if strings.Contains(src, ":") && net.ParseIP(stripZone(src)) == nil {
		return "", "want host:port, host, *:port or an interface name"
	}
	if port == "*" {
		port = "0"
	}
	if n, err := strconv.ParseUint(port, 10, 16); err != nil || (n == 0 && port != "0") {
		return "", "source port must be 0-65535 or *"
	}
	switch {
	case host == "":
		return "", "empty source host"
	case host == "*", net.ParseIP(stripZone(host)) != nil:
	default:
		if _, err := net.InterfaceByName(host); err != nil {
			return "", "source host " + strconv.Quote(host) + " is neither an IP address, * nor an interface"
		}
	}
	return net.JoinHostPort(host, port), ""
}

// sourceAddr resolves a source checked by parseTCPSource, at dial time, so
// that an interface's current address is used.
func (t *tcpOptions) sourceAddr(src string) (*net.TCPAddr, error) {
	host, port, _ := net.SplitHostPort(src)
	p, _ := strconv.Atoi(port)
	if host == "*" {
		return &net.TCPAddr{Port: p}, nil
	}
	if ip := interfaceAddr(host, t.ipv6); ip != "" {
		host = ip
	} else if net.ParseIP(stripZone(host)) == nil {
		return nil, errNoSource
	}
	ip, zone, _ := strings.Cut(host, "%")
	return &net.TCPAddr{IP: net.ParseIP(ip), Port: p, Zone: zone}, nil
}
