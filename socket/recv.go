// Receiving and subscribing, and the wait that blocking calls share.

package socket

import "context"

// Recv receives one multipart message, waiting until one arrives, ctx ends
// or the socket closes.
func (s *Socket) Recv(ctx context.Context) (Msg, error) {
	return s.recv(ctx, true)
}

// TryRecv receives without waiting: ErrWouldBlock when nothing is queued.
func (s *Socket) TryRecv() (Msg, error) {
	return s.recv(context.Background(), false)
}

func (s *Socket) recv(ctx context.Context, block bool) (Msg, error) {
	if s.closing.Load() {
		return Msg{}, ErrClosed
	}
	var from *peer
	var f [][]byte
	var err error
	if h, ok := s.h.(peerRecver); ok {
		from, f, err = h.recvFrom(ctx, block)
	} else {
		f, err = s.h.recv(ctx, block)
	}
	if err != nil {
		return Msg{}, err
	}
	s.received.Add(1)
	m := Msg{Frames: f}
	if from != nil {
		m.md = from.md.Load()
	}
	return m, nil
}

// Subscribe adds a subscription (SUB, XSUB). Subscriptions are counted: a
// topic subscribed twice needs two Unsubscribe calls. On an XPUB made with
// WithXPubManual it subscribes, on its behalf, the subscriber whose message
// Recv returned last.
func (s *Socket) Subscribe(topic []byte) error {
	if x, ok := s.h.(*xpubSocket); ok {
		return x.manualSubscribe(topic, true) // XPubManual: for the last subscriber
	}
	h, ok := s.h.(*subSocket)
	if !ok {
		return ErrNotSupported
	}
	if s.closing.Load() {
		return ErrClosed
	}
	h.subscribe(topic, true)
	return nil
}

// Unsubscribe cancels one subscription (SUB, XSUB; a manual XPUB as
// Subscribe).
func (s *Socket) Unsubscribe(topic []byte) error {
	if x, ok := s.h.(*xpubSocket); ok {
		return x.manualSubscribe(topic, false)
	}
	h, ok := s.h.(*subSocket)
	if !ok {
		return ErrNotSupported
	}
	if s.closing.Load() {
		return ErrClosed
	}
	h.subscribe(topic, false)
	return nil
}

// wait runs try until it reports done, waiting on sig between attempts when
// block is set. try must not block.
func (s *Socket) wait(ctx context.Context, block bool, sig *signal, try func() (bool, error)) error {
	var tmo deadlineTimer // the socket-wide timeout (timeout.go)
	defer tmo.stop()
	recv := sig == &s.recvSig
	if recv && block {
		s.recvBusy.Add(1)
		defer s.recvBusy.Add(-1)
	}
	for {
		if s.closing.Load() {
			return ErrClosed
		}
		if done, err := try(); done || err != nil {
			return err
		}
		if !block {
			if recv {
				s.reclaimDirect() // what arrives must be read without a Recv
			}
			return ErrWouldBlock
		}
		if err := tmo.start(s, ctx, sig); err != nil {
			return err
		}
		if recv && s.waitDirect(ctx, tmo.c == nil) {
			continue
		}
		ch := sig.wait()
		if done, err := try(); done || err != nil {
			return err
		}
		if recv && s.tokenLent() && ctx.Err() == nil {
			if tmo.c == nil {
				// Lent after recvDirect looked (lend notifies,
				// but possibly before this wait began): take it.
				continue
			}
			s.reclaimDirect() // a Recv with a timeout does not read itself
		}
		sig.parks.Add(1)
		select {
		case <-ch:
		case <-tmo.c:
			return tmo.err()
		case <-ctx.Done():
			return ctx.Err()
		case <-s.done:
			return ErrClosed
		}
	}
}
