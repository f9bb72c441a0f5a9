package socket

// Readiness: what a poller (poller.go) and Socket.Events ask of a socket
// type. Each answer is what the next TrySend or TryRecv would find, judged
// without taking a message off the socket: a message stays queued until the
// program Recv's it. Messages Recv would drop anyway (a SUB's unmatched
// topic, a REQ's stale reply, a request without a delimiter) are dropped
// here too, so that they do not make the socket look readable.

// readier is implemented by every socket type's handler.
type readier interface {
	canRecv() bool // TryRecv would return a message
	canSend() bool // TrySend would queue a message (or drop it, for the types that drop)
}

// peekable is what both kinds of inbound queue (queue.Inbox, queue.Pipe)
// offer for looking at the oldest message.
type peekable interface {
	Peek() ([][]byte, bool)
	DropHead(m [][]byte) bool
}

// firstValid reports whether in holds a message valid accepts, first
// dropping the messages it rejects (those Recv would drop).
func firstValid(in inbound, valid func([][]byte) bool) bool {
	q, ok := in.(peekable)
	if !ok {
		return in.Len() > 0
	}
	for {
		m, ok := q.Peek()
		if !ok {
			return false
		}
		if valid(m) {
			return true
		}
		q.DropHead(m)
	}
}

// hasIn reports whether a peer of fq has a message queued.
func (fq *fairQueue) hasIn() bool {
	for _, p := range fq.list.load() {
		if p.in.Len() > 0 {
			return true
		}
	}
	return false
}

// hasRoom reports whether a peer of lb has room for a message.
func (lb *loadBalancer) hasRoom() bool {
	for _, p := range lb.list.load() {
		if p.out.HasRoom() {
			return true
		}
	}
	return false
}

func (h *pairSocket) canRecv() bool   { return h.fq.hasIn() }
func (h *pairSocket) canSend() bool   { return h.lb.hasRoom() }
func (h *pushSocket) canRecv() bool   { return false }
func (h *pushSocket) canSend() bool   { return h.lb.hasRoom() }
func (h *pullSocket) canRecv() bool   { return h.fq.hasIn() }
func (h *pullSocket) canSend() bool   { return false }
func (h *dealerSocket) canRecv() bool { return h.fq.hasIn() }
func (h *dealerSocket) canSend() bool { return h.lb.hasRoom() }

// PUB and XPUB drop what a subscriber has no room for, so a send always
// goes through (with XPubNoDrop it may wait: libzmq reports it writable
// all the same).
func (h *pubSocket) canRecv() bool  { return false }
func (h *pubSocket) canSend() bool  { return true }
func (h *xpubSocket) canRecv() bool { return h.up.Len() > 0 }
func (h *xpubSocket) canSend() bool { return true }

// canRecv: SUB, a message matching a subscription; XSUB, any message.
func (h *subSocket) canRecv() bool {
	if !h.filter || h.all.Load() {
		return h.fq.hasIn()
	}
	for _, p := range h.fq.list.load() {
		if firstValid(p.in, h.matches) {
			return true
		}
	}
	return false
}

// canSend: SUB sends nothing; XSUB's sends go upstream without waiting.
func (h *subSocket) canSend() bool { return !h.filter }

// canRecv: ROUTER, any message; canSend: a ROUTER drops what it cannot
// route, so it can always send, unless RouterMandatory makes it wait or
// fail: then, as libzmq, when some peer has room.
func (h *routerSocket) canRecv() bool { return h.fq.hasIn() }
func (h *routerSocket) canSend() bool {
	if !h.s.opt().routerMandatory {
		return true
	}
	h.mu.RLock()
	defer h.mu.RUnlock()
	for _, p := range h.byID {
		if p.out.HasRoom() {
			return true
		}
	}
	return false
}

// canRecv: REP waits for a request and one is queued.
func (h *repSocket) canRecv() bool {
	h.mu.Lock()
	turn := !h.replying && !h.receiving
	h.mu.Unlock()
	if !turn {
		return false
	}
	for _, p := range h.fq.list.load() {
		if firstValid(p.in, isRequest) {
			return true
		}
	}
	return false
}

// canSend: REP owes a reply (which it never waits to send).
func (h *repSocket) canSend() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.replying
}

// isRequest reports whether m has an envelope delimiter followed by a body,
// which is what REP accepts as a request.
func isRequest(m [][]byte) bool {
	for i, f := range m {
		if len(f) == 0 {
			return i+1 < len(m)
		}
	}
	return false
}

// events answers the readiness of s: PollIn, PollOut or both.
func (s *Socket) events() Events {
	s.reclaimDirect() // readiness must not wait for a Recv to read (direct.go)
	r, ok := s.h.(readier)
	if !ok {
		return s.genericEvents()
	}
	var e Events
	if r.canRecv() {
		e |= PollIn
	}
	if r.canSend() {
		e |= PollOut
	}
	return e
}

// genericEvents is readiness for a handler without its own answer: readable
// when a peer has something queued, always writable.
func (s *Socket) genericEvents() Events {
	e := PollOut
	s.mu.Lock()
	for p := range s.peers {
		if p.in.Len() > 0 {
			e |= PollIn
			break
		}
	}
	s.mu.Unlock()
	return e
}
