package zmq4

import (
	"context"

	"github.com/purezmq/purezmq/socket"
)

// Proxy forwards messages between frontend and backend until the context
// of either is terminated (ETERM) or one is closed, as zmq_proxy does; a
// non-nil capture gets a copy of every message forwarded.
func Proxy(frontend, backend, capture *Socket) error {
	return proxy(frontend, backend, capture, nil)
}

// ProxySteerable is Proxy with a control socket: PAUSE, RESUME and
// TERMINATE (after which it returns nil), and STATISTICS answered with
// libzmq's eight uint64 frames (see socket.WithProxyControl).
func ProxySteerable(frontend, backend, capture, control *Socket) error {
	return proxy(frontend, backend, capture, control)
}

func proxy(frontend, backend, capture, control *Socket) error {
	var socks [4]*socket.Socket
	for i, soc := range []*Socket{frontend, backend, capture, control} {
		if soc == nil {
			if i < 2 {
				return einval
			}
			continue
		}
		soc.mu.Lock()
		s, err := soc.real()
		pending := soc.inNext < len(soc.in)
		soc.mu.Unlock()
		if err != nil {
			return err
		}
		if pending && i != 2 {
			return EFSM // a message half read through this API would be lost
		}
		socks[i] = s
	}
	ctx, cancel := context.WithCancel(frontend.ctx.ctx)
	defer cancel()
	stop := context.AfterFunc(backend.ctx.ctx, cancel)
	defer stop()
	err := socket.ProxySteerable(ctx, socks[0], socks[1], socks[2], socks[3])
	if frontend.ctx.done() || backend.ctx.done() {
		return ETERM
	}
	return toErrno(err)
}
