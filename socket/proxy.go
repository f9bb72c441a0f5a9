package socket

import "context"

// Proxy forwards messages between frontend and backend in both directions
// (frontend to backend only when backend cannot receive, and so on), as
// zmq_proxy does: a ROUTER/DEALER pair makes a request broker, an
// XSUB/XPUB pair a subscription-forwarding relay. It returns when ctx ends
// or either socket is closed, with that error, or nil after a TERMINATE on
// the control socket. Messages are forwarded without a copy (SendOwned):
// each one's buffers are recycled once written.
//
// WithProxyCapture copies every forwarded message to a capture socket
// (zmq_proxy's third argument); WithProxyControl steers the proxy from a
// control socket (zmq_proxy_steerable). NewSteerableProxy is the same
// proxy steered from Go.
func Proxy(ctx context.Context, frontend, backend *Socket, opts ...ProxyOption) error {
	p, err := NewSteerableProxy(frontend, backend, opts...)
	if err != nil {
		return err
	}
	return p.Run(ctx)
}

// ProxySteerable is zmq_proxy_steerable: Proxy with an optional capture
// and an optional control socket (either may be nil).
func ProxySteerable(ctx context.Context, frontend, backend, capture, control *Socket) error {
	return Proxy(ctx, frontend, backend, WithProxyCapture(capture), WithProxyControl(control))
}
