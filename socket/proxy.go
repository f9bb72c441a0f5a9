package socket

import (
	"context"
	"errors"
	"sync"
)

// Proxy forwards messages between frontend and backend in both directions
// (frontend to backend only when backend cannot receive, and so on), as
// zmq_proxy does: a ROUTER/DEALER pair makes a request broker, an
// XSUB/XPUB pair a subscription-forwarding relay. It returns when ctx ends
// or either socket is closed, with that error. Messages are forwarded
// without a copy (SendOwned): each one's buffers are recycled once written.
func Proxy(ctx context.Context, frontend, backend *Socket) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	pump := func(from, to *Socket) {
		defer wg.Done()
		for {
			m, err := from.Recv(ctx)
			if errors.Is(err, ErrNotSupported) {
				return
			}
			if err == nil {
				err = to.SendOwned(ctx, m)
			}
			if err != nil {
				once.Do(func() { first = err })
				cancel()
				return
			}
		}
	}
	wg.Add(2)
	go pump(frontend, backend)
	go pump(backend, frontend)
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return first
}
