package socket

import (
	"context"
	"net"
)

func listenTCP(ep endpoint) (net.Listener, string, error) {
	ln, err := net.Listen(ep.network, ep.addr)
	if err != nil {
		return nil, "", err
	}
	return ln, "tcp://" + ln.Addr().String(), nil
}

func dialTCP(ctx context.Context, ep endpoint) (net.Conn, error) {
	var d net.Dialer
	// Go turns Nagle off on TCP connections by default, as libzmq does.
	return d.DialContext(ctx, "tcp", ep.addr)
}

// dial connects to a stream endpoint.
func dial(ctx context.Context, ep endpoint) (net.Conn, error) {
	if ep.transport == "ipc" {
		return dialIPC(ctx, ep)
	}
	return dialTCP(ctx, ep)
}

// listen binds a stream endpoint and returns the resolved endpoint.
func listen(ep endpoint) (net.Listener, string, error) {
	if ep.transport == "ipc" {
		return listenIPC(ep)
	}
	return listenTCP(ep)
}
