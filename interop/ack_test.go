package interop

import (
	"fmt"
	"testing"

	"github.com/purezmq/purezmq/internal/testpeer"
	"github.com/purezmq/purezmq/socket"
)

// Acknowledged delivery is a purezmq extension offered in the handshake's
// metadata (X-PureZMQ-Ack). libzmq keeps an X- property it does not know as
// message metadata and otherwise ignores it, so with a libzmq peer the
// extension stays off and the pair works as plain ZMTP: these tests prove
// both halves, the property reaching libzmq (zmq_msg_gets) and our side
// negotiating nothing (Stats.AckConnections 0, nothing held unacknowledged).

func TestPyAckedPushToLibzmqPull(t *testing.T) {
	testpeer.Python(t)
	push := newOurs(t, "PUSH", socket.WithAckedDelivery(true), socket.WithIdentity(b("acked-push")))
	py := testpeer.StartPy(t, testpeer.PyOptions{Type: "PULL", Bind: []string{"tcp://127.0.0.1:*"}})
	if err := push.Connect(py.Endpoint()); err != nil {
		t.Fatal(err)
	}
	ours{push}.send(t, b("m0"))
	frames, props, err := py.RecvMeta(wait, "X-PureZMQ-Ack")
	if err != nil {
		t.Fatal(err)
	}
	if len(frames) != 1 || string(frames[0]) != "m0" || props["X-PureZMQ-Ack"] != "1" {
		t.Fatalf("libzmq received %q with props %v: want m0 and X-PureZMQ-Ack=1", frames, props)
	}
	const n = 200
	for i := 1; i <= n; i++ {
		ours{push}.send(t, b(fmt.Sprint("m", i)))
	}
	for i := 1; i <= n; i++ {
		mustRecv(t, theirs{py}, fmt.Sprint("m", i))
	}
	if st := push.Stats(); st.AckConnections != 0 || st.Unacked != 0 {
		t.Fatalf("with a libzmq peer: AckConnections %d, Unacked %d, want 0 and 0", st.AckConnections, st.Unacked)
	}
}

func TestPyLibzmqDealerToAckedRouter(t *testing.T) {
	testpeer.Python(t)
	router := newOurs(t, "ROUTER", socket.WithAckedDelivery(true), socket.WithRetention(socket.Retention{}),
		socket.WithRouterMandatory(true))
	ep := ourBind(t, router, "tcp://127.0.0.1:*")
	py := testpeer.StartPy(t, testpeer.PyOptions{Type: "DEALER", Connect: []string{ep},
		Identity: testpeer.Str("libzmq-dealer")})
	const n = 200
	for i := 0; i < n; i++ {
		theirs{py}.send(t, b(fmt.Sprint("up", i)))
	}
	for i := 0; i < n; i++ {
		mustRecv(t, ours{router}, "libzmq-dealer", fmt.Sprint("up", i))
	}
	for i := 0; i < n; i++ {
		ours{router}.send(t, b("libzmq-dealer"), b(fmt.Sprint("down", i)))
	}
	for i := 0; i < n; i++ {
		mustRecv(t, theirs{py}, fmt.Sprint("down", i))
	}
	if st := router.Stats(); st.AckConnections != 0 || st.Unacked != 0 || st.AckDuplicates != 0 {
		t.Fatalf("with a libzmq peer: %+v", st)
	}
}
