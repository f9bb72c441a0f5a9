package socket

import (
	"fmt"
	"time"

	"github.com/purezmq/purezmq/internal/zmtphook"
)

// ttlWatch holds a peer to the TTL its PINGs carry (RFC 37,
// ZMQ_HEARTBEAT_TTL on the peer's side): once a PING asked for one, a
// connection from which nothing arrived for that long is dead. The
// connection's writer owns it; the reader only reports TTL changes through
// streamConn.ttlSet.
type ttlWatch struct {
	ttl time.Duration
	t   *time.Ticker
	C   <-chan time.Time // nil while no TTL is set: never ready
}

// ttlCheckMin bounds how often a short TTL is checked.
const ttlCheckMin = 10 * time.Millisecond

// set starts (or with 0 stops) the checks for a new TTL. Checking four
// times per TTL finds a silent peer at most a quarter TTL late.
func (w *ttlWatch) set(ttl time.Duration) {
	w.ttl = ttl
	if ttl <= 0 {
		w.stop()
		return
	}
	every := max(ttl/4, ttlCheckMin)
	if w.t == nil {
		w.t = time.NewTicker(every)
		w.C = w.t.C
		return
	}
	w.t.Reset(every)
}

func (w *ttlWatch) stop() {
	if w.t != nil {
		w.t.Stop()
		w.t, w.C = nil, nil
	}
}

// expired returns the error ending the connection when nothing arrived
// since lastRead for longer than the TTL, else nil.
func (w *ttlWatch) expired(lastRead time.Time) error {
	if w.ttl <= 0 {
		return nil
	}
	if silent := time.Since(lastRead); silent > w.ttl {
		return fmt.Errorf("%w: silent for %v, past the peer's PING TTL of %v",
			ErrHeartbeatTimeout, silent.Round(time.Millisecond), w.ttl)
	}
	return nil
}

// watchPeerTTL makes the connection's reader pass each new PING TTL to
// the writer. Only the latest value matters, so an unread older one is
// replaced. Called before the reader starts.
func (c *streamConn) watchPeerTTL() {
	c.ttlSet = make(chan time.Duration, 1)
	zmtphook.SetOnPeerTTL(c.zc, func(d time.Duration) {
		for {
			select {
			case c.ttlSet <- d:
				return
			default:
				select {
				case <-c.ttlSet:
				default:
				}
			}
		}
	})
}
