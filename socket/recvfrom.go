package socket

import "context"

// peerRecver is a handler that can say which peer a received message came
// from, so that Recv can attach that peer's connection Metadata. A handler
// without it (none today) delivers messages without metadata.
type peerRecver interface {
	recvFrom(ctx context.Context, block bool) (*peer, [][]byte, error)
}

func (h *pullSocket) recvFrom(ctx context.Context, block bool) (*peer, [][]byte, error) {
	return h.s.recvFair(ctx, &h.fq, block)
}

func (h *dealerSocket) recvFrom(ctx context.Context, block bool) (*peer, [][]byte, error) {
	return h.s.recvFair(ctx, &h.fq, block)
}

func (h *pairSocket) recvFrom(ctx context.Context, block bool) (*peer, [][]byte, error) {
	return h.s.recvFair(ctx, &h.fq, block)
}
