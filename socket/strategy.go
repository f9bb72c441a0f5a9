package socket

import "context"

// sendBalanced queues m on one peer of lb, waiting for room as the blocking
// types do. The first attempt is made without building a closure: that is
// the hot path.
func (s *Socket) sendBalanced(ctx context.Context, lb *loadBalancer, m [][]byte, block bool) (*peer, error) {
	if p := lb.trySend(m); p != nil {
		return p, nil
	}
	var to *peer
	err := s.wait(ctx, block, &s.sendSig, func() (bool, error) {
		to = lb.trySend(m)
		return to != nil, nil
	})
	return to, err
}

// recvFair takes the next message from fq in turn, waiting for one when block.
func (s *Socket) recvFair(ctx context.Context, fq *fairQueue, block bool) (*peer, [][]byte, error) {
	if p, m := fq.tryRecv(); m != nil {
		return p, m, nil
	}
	var from *peer
	var msg [][]byte
	err := s.wait(ctx, block, &s.recvSig, func() (bool, error) {
		from, msg = fq.tryRecv()
		return msg != nil, nil
	})
	return from, msg, err
}
