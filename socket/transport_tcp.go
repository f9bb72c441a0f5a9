package socket

import (
	"context"
	"net"
)

func listenTCP(ep endpoint, t *tcpOptions) (net.Listener, string, error) {
	ln, err := listenTCPWith(ep, t)
	if err != nil {
		return nil, "", err
	}
	return ln, "tcp://" + ln.Addr().String(), nil
}

func dialTCP(ctx context.Context, ep endpoint, t *tcpOptions) (net.Conn, error) {
	return dialTCPWith(ctx, ep, t)
}

// dial connects to a stream endpoint.
func dial(ctx context.Context, ep endpoint, t *tcpOptions) (net.Conn, error) {
	if ep.transport == "ipc" {
		return dialIPC(ctx, ep)
	}
	return dialTCP(ctx, ep, t)
}

// listen binds a stream endpoint and returns the resolved endpoint.
func listen(ep endpoint, t *tcpOptions) (net.Listener, string, error) {
	if ep.transport == "ipc" {
		return listenIPC(ep)
	}
	return listenTCP(ep, t)
}
