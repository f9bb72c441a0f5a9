package zmq4

import (
	"fmt"
	"syscall"
	"testing"
	"time"
)

// TestMetadataOfReceivedMessages: a PLAIN server admitted by AuthStart's
// handler reads the client's User-Id, its address, its socket type and the
// metadata handler's property from each message; a property the message
// lacks is left out.
func TestMetadataOfReceivedMessages(t *testing.T) {
	if err := AuthStart(); err != nil {
		t.Fatal(err)
	}
	defer AuthStop()
	defer AuthSetMetadataHandler(nil)
	AuthPlainAdd("meta", "alice", "pw")
	AuthSetMetadataHandler(func(version, requestID, domain, address, identity, mechanism string, credentials ...string) map[string]string {
		return map[string]string{"X-Team": "blue"}
	})
	server := newSock(t, PULL)
	server.ServerAuthPlain("meta")
	server.SetRcvtimeo(5 * time.Second)
	if err := server.Bind("tcp://127.0.0.1:*"); err != nil {
		t.Fatal(err)
	}
	ep, _ := server.GetLastEndpoint()
	client := newSock(t, PUSH)
	client.ClientAuthPlain("alice", "pw")
	client.Connect(ep)
	client.SendMessage("one", "two")
	msg, md, err := server.RecvMessageWithMetadata(0, "User-Id", "Peer-Address", "Socket-Type", "X-Team", "X-Absent")
	if err != nil || len(msg) != 2 {
		t.Fatalf("RecvMessageWithMetadata = %q %v", msg, err)
	}
	want := map[string]string{"User-Id": "alice", "Peer-Address": "127.0.0.1", "Socket-Type": "PUSH", "X-Team": "blue"}
	if fmt.Sprint(md) != fmt.Sprint(want) {
		t.Fatalf("metadata = %v, want %v", md, want)
	}
	if _, md, err := server.RecvWithMetadata(DONTWAIT, "User-Id"); AsErrno(err) != Errno(syscall.EAGAIN) || len(md) != 0 {
		t.Fatalf("RecvWithMetadata with nothing to receive = %v %v, want EAGAIN and no properties", md, err)
	}
}

// TestXpubManualAndWelcome: the XPUB's program applies each subscription
// itself (here a narrower one than asked for), and each subscriber gets the
// welcome message first.
func TestXpubManualAndWelcome(t *testing.T) {
	ep := inproc()
	xpub, sub := newSock(t, XPUB), newSock(t, SUB)
	if err := xpub.SetXpubManual(1); err != nil {
		t.Fatal(err)
	}
	if err := xpub.SetXpubWelcomeMsg("hello"); err != nil {
		t.Fatal(err)
	}
	xpub.SetRcvtimeo(5 * time.Second)
	sub.SetRcvtimeo(5 * time.Second)
	xpub.Bind(ep)
	sub.SetSubscribe("h")
	sub.Connect(ep)
	if got, err := xpub.Recv(0); got != "\x01h" || err != nil {
		t.Fatalf("XPUB got %q %v, want the subscription", got, err)
	}
	if err := xpub.SetSubscribe("hi"); err != nil {
		t.Fatal(err)
	}
	if got, err := sub.Recv(0); got != "hello" || err != nil {
		t.Fatalf("SUB's first message %q %v, want the welcome", got, err)
	}
	xpub.Send("hx: not subscribed by the XPUB", 0)
	xpub.Send("hi there", 0)
	if got, err := sub.Recv(0); got != "hi there" || err != nil {
		t.Fatalf("SUB got %q %v, want only what the XPUB subscribed it to", got, err)
	}
}

// TestProbeRouterAndConnectRid: a probing DEALER announces itself to a
// ROUTER with an empty message; a ROUTER's CONNECT_ROUTING_ID names its
// peer for that Connect, so it routes to it at once.
func TestProbeRouterAndConnectRid(t *testing.T) {
	ep := inproc()
	router := newSock(t, ROUTER)
	router.SetRcvtimeo(5 * time.Second)
	router.Bind(ep)
	dealer := newSock(t, DEALER)
	dealer.SetIdentity("probe")
	if err := dealer.SetProbeRouter(1); err != nil {
		t.Fatal(err)
	}
	dealer.Connect(ep)
	if got, err := router.RecvMessage(0); err != nil || len(got) != 2 || got[0] != "probe" || got[1] != "" {
		t.Fatalf("ROUTER got %q %v, want [probe \"\"]", got, err)
	}

	client := newSock(t, ROUTER)
	if err := client.SetConnectRid("server"); err != nil {
		t.Fatal(err)
	}
	client.SetIdentity("client")
	if err := client.Connect(ep); err != nil {
		t.Fatal(err)
	}
	if _, err := client.SendMessage("server", "routed by CONNECT_ROUTING_ID"); err != nil {
		t.Fatal(err)
	}
	if got, err := router.RecvMessage(0); err != nil || len(got) != 2 || got[0] != "client" || got[1] != "routed by CONNECT_ROUTING_ID" {
		t.Fatalf("ROUTER got %q %v", got, err)
	}
	if err := newSock(t, PUSH).SetConnectRid(string(make([]byte, 256))); AsErrno(err) != Errno(syscall.EINVAL) {
		t.Fatalf("a 256-byte CONNECT_ROUTING_ID = %v, want EINVAL", err)
	}
}

// TestExtOptionsLive: XPUB_WELCOME_MSG set after the XPUB is bound greets
// the subscribers that connect afterwards.
func TestExtOptionsLive(t *testing.T) {
	ep := inproc()
	xpub := newSock(t, XPUB)
	if err := xpub.Bind(ep); err != nil {
		t.Fatal(err)
	}
	if err := xpub.SetXpubWelcomeMsg("late welcome"); err != nil {
		t.Fatalf("SetXpubWelcomeMsg after Bind = %v", err)
	}
	sub := newSock(t, SUB)
	sub.SetSubscribe("late")
	sub.SetRcvtimeo(5 * time.Second)
	sub.Connect(ep)
	if got, err := sub.Recv(0); got != "late welcome" || err != nil {
		t.Fatalf("SUB got %q %v, want the welcome set after Bind", got, err)
	}
}

// TestMonitorHandshakeFailedAuth: a PLAIN client the authenticator refuses
// is reported as libzmq reports it, HANDSHAKE_FAILED_AUTH with the ZAP
// status code as the value, on the server and on the client (which reads
// the code from the server's ERROR).
func TestMonitorHandshakeFailedAuth(t *testing.T) {
	if err := AuthStart(); err != nil {
		t.Fatal(err)
	}
	defer AuthStop()
	AuthPlainAdd("mon", "bob", "right")
	server, client := newSock(t, PULL), newSock(t, PUSH)
	server.ServerAuthPlain("mon")
	client.ClientAuthPlain("bob", "wrong")
	watch := func(s *Socket) *Socket {
		ep := inproc()
		if err := s.Monitor(ep, EVENT_HANDSHAKE_FAILED_AUTH); err != nil {
			t.Fatal(err)
		}
		r := newSock(t, PAIR)
		r.Connect(ep)
		r.SetRcvtimeo(5 * time.Second)
		return r
	}
	srvEvents, cliEvents := watch(server), watch(client)
	if err := server.Bind("tcp://127.0.0.1:*"); err != nil {
		t.Fatal(err)
	}
	ep, _ := server.GetLastEndpoint()
	client.Connect(ep)
	for name, r := range map[string]*Socket{"server": srvEvents, "client": cliEvents} {
		ev, _, value, err := r.RecvEvent(0)
		if err != nil || ev != EVENT_HANDSHAKE_FAILED_AUTH || value != 400 {
			t.Errorf("%s: RecvEvent = %v, value %d, %v; want EVENT_HANDSHAKE_FAILED_AUTH 400", name, ev, value, err)
		}
	}
}

// TestMonitorHandshakeFailedProtocol: a peer of a socket type that cannot
// talk to ours is HANDSHAKE_FAILED_PROTOCOL.
func TestMonitorHandshakeFailedProtocol(t *testing.T) {
	pull, pull2 := newSock(t, PULL), newSock(t, PULL)
	mon := inproc()
	if err := pull.Monitor(mon, EVENT_HANDSHAKE_FAILED_PROTOCOL); err != nil {
		t.Fatal(err)
	}
	r := newSock(t, PAIR)
	r.Connect(mon)
	r.SetRcvtimeo(5 * time.Second)
	if err := pull.Bind("tcp://127.0.0.1:*"); err != nil {
		t.Fatal(err)
	}
	ep, _ := pull.GetLastEndpoint()
	pull2.Connect(ep)
	if ev, _, _, err := r.RecvEvent(0); err != nil || ev != EVENT_HANDSHAKE_FAILED_PROTOCOL {
		t.Fatalf("RecvEvent = %v %v, want EVENT_HANDSHAKE_FAILED_PROTOCOL", ev, err)
	}
}
