package socket

// reqOptions are REQ's relaxations of its strict request-reply cycle
// (libzmq's ZMQ_REQ_RELAXED and ZMQ_REQ_CORRELATE).
type reqOptions struct {
	relaxed   bool
	correlate bool
}

// WithReqRelaxed lets a REQ send a new request while the previous one is
// still unanswered, typically after a Recv that timed out (the Lazy Pirate
// pattern), instead of failing with ErrState. The new request goes to the
// next peer in turn; a reply to the abandoned request that arrives later is
// dropped if it comes from another peer, but from the same peer it would be
// taken for the new reply: use WithReqCorrelate too, as libzmq advises.
// Other socket types ignore it.
func WithReqRelaxed(on bool) Option {
	return func(o *options) error { o.req.relaxed = on; return nil }
}

// WithReqCorrelate makes a REQ put a request id frame (4 bytes) in front of
// each request's delimiter and accept only a reply that echoes the id of
// its latest request; other replies are dropped. REP and ROUTER peers echo
// the frame as part of the envelope, so it works with any of them,
// libzmq's included. Other socket types ignore it.
func WithReqCorrelate(on bool) Option {
	return func(o *options) error { o.req.correlate = on; return nil }
}
