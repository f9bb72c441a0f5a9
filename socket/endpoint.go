package socket

import (
	"net"
	"runtime"
	"strconv"
	"strings"
)

// endpoint is a parsed endpoint string.
type endpoint struct {
	raw       string
	transport string // "tcp", "ipc" or "inproc"
	// tcp: "host:port" to listen on or dial (wildcard host "" for bind);
	// ipc: the socket path ("@name" for the Linux abstract namespace, "*"
	// for a generated path); inproc: the name.
	addr    string
	network string // tcp: "tcp" or "tcp4" (the "*" wildcard binds IPv4, as libzmq does by default)
	// tcp: wildcard is a "*" host (bind); src the "host:port" of
	// tcp://src;dst (connect), see parseTCPSource.
	wildcard bool
	src      string
}

func badEndpoint(raw, reason string, err error) error {
	return &EndpointError{Endpoint: raw, Reason: reason, Err: err}
}

// parseEndpoint checks an endpoint for Bind (bind=true) or Connect.
func parseEndpoint(raw string, bind bool) (endpoint, error) {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return endpoint{}, badEndpoint(raw, "missing transport:// prefix", nil)
	}
	ep := endpoint{raw: raw, transport: scheme}
	switch scheme {
	case "tcp":
		return parseTCP(ep, rest, bind)
	case "ipc":
		if rest == "" {
			return ep, badEndpoint(raw, "empty ipc path", nil)
		}
		if rest == "*" && !bind {
			return ep, badEndpoint(raw, "cannot connect to a wildcard ipc path", nil)
		}
		if strings.HasPrefix(rest, "@") && runtime.GOOS != "linux" {
			return ep, badEndpoint(raw, "abstract ipc names exist only on Linux", nil)
		}
		if strings.HasPrefix(rest, "@") && len(rest) == 1 {
			return ep, badEndpoint(raw, "empty abstract ipc name", nil)
		}
		ep.addr = rest
		return ep, nil
	case "inproc":
		if rest == "" {
			return ep, badEndpoint(raw, "empty inproc name", nil)
		}
		ep.addr = rest
		return ep, nil
	case "":
		return ep, badEndpoint(raw, "empty transport", nil)
	}
	return ep, badEndpoint(raw, "unsupported transport "+strconv.Quote(scheme), nil)
}

func parseTCP(ep endpoint, rest string, bind bool) (endpoint, error) {
	if src, dst, ok := strings.Cut(rest, ";"); ok {
		if bind {
			return ep, badEndpoint(ep.raw, "a source address (src;dst) is for connect only", nil)
		}
		var reason string
		if ep.src, reason = parseTCPSource(src); reason != "" {
			return ep, badEndpoint(ep.raw, reason, nil)
		}
		rest = dst
	}
	host, port, err := net.SplitHostPort(rest)
	if err != nil {
		return ep, badEndpoint(ep.raw, "want host:port", err)
	}
	ep.network = "tcp"
	switch {
	case host == "":
		return ep, badEndpoint(ep.raw, "empty host (use * to bind every interface)", nil)
	case host == "*":
		if !bind {
			return ep, badEndpoint(ep.raw, "cannot connect to the wildcard host", nil)
		}
		host, ep.network, ep.wildcard = "0.0.0.0", "tcp4", true
	}
	switch port {
	case "*", "0":
		if !bind {
			return ep, badEndpoint(ep.raw, "cannot connect to port "+port, nil)
		}
		port = "0"
	default:
		n, err := strconv.ParseUint(port, 10, 16)
		if err != nil || n == 0 {
			return ep, badEndpoint(ep.raw, "port must be 1-65535 (or * / 0 to bind any)", nil)
		}
	}
	ep.addr = net.JoinHostPort(host, port)
	return ep, nil
}
