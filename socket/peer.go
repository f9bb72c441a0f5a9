package socket

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/purezmq/purezmq/queue"
	"github.com/purezmq/purezmq/zmtp"
)

// inbound is a peer's queue of received messages: a *queue.Inbox for a
// stream connection (one reader goroutine pushes), the other socket's
// outbound *queue.Pipe for inproc (any sender pushes).
type inbound interface {
	Push(ctx context.Context, msg [][]byte) error
	Pop() ([][]byte, bool)
	Len() int
	Close()
	Closed() bool
}

// peer is one connected (or, for a connect endpoint, connectable) peer of a
// socket: its pair of pipes and what the handshake told us about it.
type peer struct {
	s   *Socket
	out *queue.Pipe // towards the peer
	in  inbound     // from the peer

	endpoint string // the bound or connected endpoint it came through

	// Set once the handshake is done (before attach), then read-only while
	// attached, except for a persistent peer re-handshaking after a reconnect,
	// which happens only while no connection is live.
	identity []byte        // the peer's Identity property
	userID   string        // the authenticated user, if any
	authMD   zmtp.Metadata // what the ZAP handler attached to it, if anything
	peerType string
	addr     string // remote address

	routingID []byte // ROUTER: the key this peer is routed by
	// fixedRID is the routing id ConnectWithRoutingID gave this peer: ROUTER
	// routes it by that, whatever Identity it announces.
	fixedRID []byte

	// md is what the live (or last) connection's handshake established,
	// shared by every message received from it (Msg.Metadata). Atomic: a
	// reconnecting persistent peer replaces it while Recv may read it.
	md atomic.Pointer[Metadata]

	// persistent peers belong to a connect endpoint and keep their pipes across
	// reconnects, so messages sent while disconnected are delivered later.
	persistent bool

	remote *peer // inproc: the other socket's peer sharing our pipes
	// orphaned: an inproc connect endpoint closed before its bind; its
	// queued messages wait for a binder (transport_inproc_orphan.go).
	orphaned bool

	mu       sync.Mutex
	conn     *streamConn // live stream connection, if any
	detached bool

	// direct mirrors conn for Send's lock-free look (see tryDirect); nil
	// when the connection may not be written from Send.
	direct atomic.Pointer[streamConn]

	// fq is the fair queue the peer receives through, told when it
	// departs (see fairQueue.departed); nil for send-only types.
	fq atomic.Pointer[fairQueue]

	attached atomic.Bool

	// txID names the stream of messages out to this peer for
	// acknowledged delivery (ack.go); made on first use, under mu.
	txID        zmtp.AckStreamID
	hasStreamID bool

	streamPeerState // STREAM only (stream.go)

	// PUB/XPUB side, guarded by the dist lock: the topics this peer subscribed.
	subs map[string]struct{}
	mark uint64 // dist: last send generation this peer was matched in
}

// subTag marks a subscription queued in a stream peer's outbound pipe: the
// writer turns [subTag, "\x01topic"] into WriteSubscribe, which sends a
// SUBSCRIBE/CANCEL command to ZMTP 3.1 peers and a message to 3.0 peers.
// It is compared by address, so no application message can look like it.
var subTag = []byte{0}

func subMessage(topic []byte, on bool) [][]byte {
	b := make([]byte, 1+len(topic))
	if on {
		b[0] = 1
	}
	copy(b[1:], topic)
	return [][]byte{subTag, b}
}

func isSubMessage(m [][]byte) bool {
	return len(m) == 2 && len(m[0]) == 1 && &m[0][0] == &subTag[0]
}

// sendSubscription tells the peer about a subscription change. For inproc the
// other socket applies it directly; for streams it is queued in order with
// other outbound traffic.
func (p *peer) sendSubscription(topic []byte, on bool) {
	if r := p.remote; r != nil {
		if h, ok := r.s.h.(subReceiver); ok {
			h.onSubscribe(r, topic, on)
		}
		return
	}
	_ = p.out.TryPush(subMessage(topic, on))
}

// sendUpstream passes a message that is not a subscription from an XSUB to
// its publishers.
func (p *peer) sendUpstream(m [][]byte) error {
	if r := p.remote; r != nil {
		if h, ok := r.s.h.(upstreamReceiver); ok {
			h.onUpstream(r, m)
		}
		return nil
	}
	return p.out.TryPush(m)
}

// subReceiver is implemented by PUB and XPUB, which apply their peers'
// subscriptions.
type subReceiver interface {
	onSubscribe(p *peer, topic []byte, on bool)
}

// upstreamReceiver is implemented by PUB and XPUB, which receive no
// application messages through pipes: what subscribers send (other than
// subscriptions) is handed over here.
type upstreamReceiver interface {
	onUpstream(p *peer, m [][]byte)
}
