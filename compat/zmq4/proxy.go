package zmq4

import (
	"context"

	"github.com/purezmq/purezmq/socket"
)

// Proxy forwards messages between frontend and backend until the context
// of either is terminated (ETERM) or one is closed, as zmq_proxy does.
// A capture socket is not supported yet (package socket's Proxy has none):
// a non-nil capture fails with ENOTSUP.
func Proxy(frontend, backend, capture *Socket) error {
	if capture != nil {
		return ENOTSUP
	}
	return proxy(frontend, backend)
}

// ProxySteerable is Proxy with a control socket (PAUSE, RESUME, TERMINATE,
// STATISTICS). Package socket's Proxy has no steering yet: a non-nil
// control or capture fails with ENOTSUP; with neither it is Proxy.
func ProxySteerable(frontend, backend, capture, control *Socket) error {
	if capture != nil || control != nil {
		return ENOTSUP
	}
	return proxy(frontend, backend)
}

func proxy(frontend, backend *Socket) error {
	var socks [2]*socket.Socket
	for i, soc := range []*Socket{frontend, backend} {
		soc.mu.Lock()
		s, err := soc.real()
		pending := soc.inNext < len(soc.in)
		soc.mu.Unlock()
		if err != nil {
			return err
		}
		if pending {
			return EFSM // a message half read through this API would be lost
		}
		socks[i] = s
	}
	ctx, cancel := context.WithCancel(frontend.ctx.ctx)
	defer cancel()
	stop := context.AfterFunc(backend.ctx.ctx, cancel)
	defer stop()
	err := socket.Proxy(ctx, socks[0], socks[1])
	if frontend.ctx.done() || backend.ctx.done() {
		return ETERM
	}
	return toErrno(err)
}
