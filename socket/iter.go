package socket

import (
	"context"
	"iter"
)

// Messages returns an iterator over the messages the socket receives, for
// the common single-socket loop:
//
//	for m, err := range s.Messages(ctx) {
//		if err != nil {
//			return err // ctx ended, the socket closed, a receive timeout...
//		}
//		handle(m)
//	}
//
// Each step is a Recv with ctx. A failed Recv is yielded once, with its
// error, and ends the iteration; so does breaking out of the loop. The
// messages are the caller's, as Recv's are.
func (s *Socket) Messages(ctx context.Context) iter.Seq2[Msg, error] {
	return func(yield func(Msg, error) bool) {
		for {
			m, err := s.Recv(ctx)
			if err != nil {
				yield(Msg{}, err)
				return
			}
			if !yield(m, nil) {
				return
			}
		}
	}
}
