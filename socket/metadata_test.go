package socket

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/purezmq/purezmq/auth"
	"github.com/purezmq/purezmq/zmtp"
)

func zmtpProp(name, value string) zmtp.Property {
	return zmtp.Property{Name: name, Value: []byte(value)}
}

// A message received over tcp answers the sender's Socket-Type, Identity
// (also as Routing-Id), Peer-Address, in any case, and messages of one
// connection share one Metadata.
func TestMsgMetadataTCP(t *testing.T) {
	router := newSock(t, Router)
	ep := bindAt(t, router, "tcp")
	dealer := newSock(t, Dealer, WithIdentity([]byte("d-one")))
	connectTo(t, dealer, ep)
	send(t, dealer, "a")
	send(t, dealer, "b")
	m1, err := router.Recv(ctxT(t, 5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	m2, err := router.Recv(ctxT(t, 5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"Socket-Type": "DEALER", "socket-type": "DEALER",
		"Identity": "d-one", "ROUTING-ID": "d-one",
		"Peer-Address": "127.0.0.1",
	} {
		if got, ok := m1.Property(name); !ok || got != want {
			t.Errorf("Property(%q) = %q, %v; want %q", name, got, ok, want)
		}
	}
	if v, ok := m1.Property("User-Id"); ok {
		t.Errorf("User-Id = %q on a NULL connection, want none", v)
	}
	if m1.Metadata() == nil || m1.Metadata() != m2.Metadata() {
		t.Errorf("messages of one connection carry %p and %p, want one shared Metadata", m1.Metadata(), m2.Metadata())
	}
	seen := map[string]string{}
	for k, v := range m1.Metadata().All() {
		seen[k] = v
	}
	if seen["Peer-Address"] != "127.0.0.1" || seen["Socket-Type"] != "DEALER" || len(seen) != m1.Metadata().Len() {
		t.Errorf("All() = %v (Len %d)", seen, m1.Metadata().Len())
	}
	// Replies carry the ROUTER's side too, over the same kind of connection.
	if err := router.Send(ctxT(t, 5*time.Second), Msg{Frames: [][]byte{[]byte("d-one"), []byte("r")}}); err != nil {
		t.Fatal(err)
	}
	r, err := dealer.Recv(ctxT(t, 5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := r.Property("Socket-Type"); st != "ROUTER" {
		t.Errorf("dealer got a message with Socket-Type %q, want ROUTER", st)
	}
	if _, ok := r.Property("Identity"); ok {
		t.Error("ROUTER sent no identity, yet Identity is answered")
	}
}

// With PLAIN, User-Id is what authentication returned; the peer cannot
// override it (or Peer-Address) through its own metadata.
func TestMsgMetadataUserID(t *testing.T) {
	pull := newSock(t, Pull, WithPlainServer(func(user, pass string) (string, error) {
		if user == "alice" && pass == "pw" {
			return "user:alice", nil
		}
		return "", errors.New("no")
	}))
	ep := bindAt(t, pull, "tcp")
	push := newSock(t, Push, WithPlainClient("alice", "pw"))
	connectTo(t, push, ep)
	send(t, push, "x")
	m, err := pull.Recv(ctxT(t, 5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if id, _ := m.Property("user-id"); id != "user:alice" {
		t.Errorf("User-Id = %q, want user:alice", id)
	}
}

func TestMetadataPrecedence(t *testing.T) {
	ci := connInfo{PeerAddress: "10.0.0.1", UserID: "u"}
	ci.Props = append(ci.Props, zmtpProp("User-Id", "forged"), zmtpProp("Peer-Address", "forged"), zmtpProp("X-Extra", "e"))
	md := ci.metadata()
	if v, _ := md.Get("User-Id"); v != "u" {
		t.Errorf("User-Id = %q, want the authenticated u", v)
	}
	if v, _ := md.Get("peer-address"); v != "10.0.0.1" {
		t.Errorf("Peer-Address = %q, want ours", v)
	}
	if v, _ := md.Get("x-extra"); v != "e" {
		t.Errorf("X-Extra = %q", v)
	}
	if md.Len() != 3 {
		t.Errorf("Len = %d, want 3 distinct names", md.Len())
	}
	var nilMD *Metadata
	if _, ok := nilMD.Get("Socket-Type"); ok || nilMD.Len() != 0 {
		t.Error("a nil Metadata answers")
	}
	if _, ok := (Msg{}).Property("Socket-Type"); ok {
		t.Error("a message not received answers Socket-Type")
	}
}

func TestMsgMetadataInprocAndIPC(t *testing.T) {
	for _, tr := range []string{"inproc", "ipc"} {
		t.Run(tr, func(t *testing.T) {
			pull := newSock(t, Pull)
			ep := bindAt(t, pull, tr)
			push := newSock(t, Push)
			connectTo(t, push, ep)
			send(t, push, "x")
			m, err := pull.Recv(ctxT(t, 5*time.Second))
			if err != nil {
				t.Fatal(err)
			}
			if st, _ := m.Property("Socket-Type"); st != "PUSH" {
				t.Errorf("Socket-Type = %q, want PUSH", st)
			}
			want := ""
			if tr == "ipc" && runtime.GOOS == "linux" {
				// libzmq's form: getnameinfo's "localhost", then SO_PEERCRED.
				want = fmt.Sprintf("localhost:%d:%d:%d", os.Getuid(), os.Getgid(), os.Getpid())
			}
			if a, _ := m.Property("Peer-Address"); a != want {
				t.Errorf("Peer-Address = %q, want %q", a, want)
			}
		})
	}
}

// Receiving and reading a message's properties allocates nothing per
// message: the Metadata is the connection's.
func TestMsgMetadataNoAlloc(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops entries at random under the race detector")
	}
	pull := newSock(t, Pull)
	ep := bindAt(t, pull, "inproc")
	push := newSock(t, Push)
	connectTo(t, push, ep)
	ctx := context.Background()
	msg := NewMsg([]byte("payload"))
	round := func() {
		if err := push.Send(ctx, msg); err != nil {
			t.Fatal(err)
		}
		m, err := pull.Recv(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if v, ok := m.Property("socket-type"); !ok || v != "PUSH" {
			t.Fatalf("Socket-Type %q", v)
		}
		m.Release()
	}
	round()
	if n := testing.AllocsPerRun(1000, round); n != 0 {
		t.Errorf("%v allocs per send, receive and property read, want 0", n)
	}
}

// With a ZAP handler, User-Id is the reply's user id and the reply's
// metadata are properties of every message; they win over the peer's own.
func TestMsgMetadataZAP(t *testing.T) {
	h := auth.HandlerFunc(func(ctx context.Context, req *auth.Request) (*auth.Reply, error) {
		user, _, _ := req.PlainCredentials()
		r := auth.NewReply(req, auth.StatusOK, "OK")
		r.UserID = "zap:" + user
		r.Metadata = zmtp.Metadata{zmtpProp("Department", "ops"), zmtpProp("Socket-Type", "ZAP-SAYS")}
		return r, nil
	})
	pull := newSock(t, Pull, WithPlainServer(nil), WithZAP(h))
	ep := bindAt(t, pull, "tcp")
	push := newSock(t, Push, WithPlainClient("carol", "pw"))
	connectTo(t, push, ep)
	send(t, push, "x")
	m, err := pull.Recv(ctxT(t, 5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"User-Id": "zap:carol", "department": "ops", "Socket-Type": "ZAP-SAYS", "Peer-Address": "127.0.0.1"} {
		if got, _ := m.Property(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
}
