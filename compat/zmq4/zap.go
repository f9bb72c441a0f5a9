package zmq4

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/purezmq/purezmq/socket"
)

// ZAP (RFC 27) the way libzmq runs it: a PLAIN or CURVE server asks the
// handler bound at inproc://zeromq.zap.01, when there is one, whether to
// admit each client; without a handler every client is admitted. Package
// socket has no ZAP yet, so the request is made here from its PLAIN and
// CURVE authentication callbacks. Known gaps (package doc): the NULL
// mechanism never asks, the request's address field is empty (the callbacks
// do not get the peer's address), and the reply's user id and metadata do
// not reach received messages.

const zapEndpoint = "inproc://zeromq.zap.01"

// zapTimeout bounds a ZAP exchange; libzmq bounds it by the handshake.
const zapTimeout = 10 * time.Second

var (
	zapMu      sync.Mutex
	zapHandler *Socket // the compat socket bound at zapEndpoint, if any
	zapSeq     atomic.Uint64
)

func zapBound(soc *Socket, on bool) {
	zapMu.Lock()
	defer zapMu.Unlock()
	if on {
		zapHandler = soc
	} else if zapHandler == soc {
		zapHandler = nil
	}
}

// ZAPError is a ZAP handler's refusal: its status code and text.
type ZAPError struct {
	Status, Text string
}

func (e *ZAPError) Error() string { return fmt.Sprintf("zap: %s %s", e.Status, e.Text) }

// zapAsk sends one ZAP request and returns the user id of a 200 reply.
func zapAsk(domain, identity, mechanism string, creds ...string) (string, error) {
	zapMu.Lock()
	bound := zapHandler != nil
	zapMu.Unlock()
	if !bound {
		return "", nil
	}
	req, err := socket.New(socket.Req, socket.WithLinger(0))
	if err != nil {
		return "", err
	}
	defer req.Close()
	if err := req.Connect(zapEndpoint); err != nil {
		return "", err
	}
	seq := strconv.FormatUint(zapSeq.Add(1), 10)
	frames := [][]byte{[]byte("1.0"), []byte(seq), []byte(domain), nil, []byte(identity), []byte(mechanism)}
	for _, c := range creds {
		frames = append(frames, []byte(c))
	}
	ctx, cancel := context.WithTimeout(context.Background(), zapTimeout)
	defer cancel()
	if err := req.Send(ctx, socket.NewMsg(frames...)); err != nil {
		return "", err
	}
	reply, err := req.Recv(ctx)
	if err != nil {
		return "", err
	}
	f := reply.Frames
	if len(f) < 6 || string(f[0]) != "1.0" || string(f[1]) != seq {
		return "", &ZAPError{Status: "500", Text: "malformed ZAP reply"}
	}
	if string(f[2]) != "200" {
		return "", &ZAPError{Status: string(f[2]), Text: string(f[3])}
	}
	return string(f[4]), nil
}
