package zmtp

import (
	"errors"
	"testing"
)

func TestNullMechanism(t *testing.T) {
	a, _ := NewNull(Metadata{{PropSocketType, []byte("DEALER")}, {PropIdentity, []byte("me")}}, nil)
	b, _ := NewNull(Metadata{{PropSocketType, []byte("ROUTER")}}, nil)
	if ea, eb := runMechanisms(t, a, b); ea != nil || eb != nil {
		t.Fatal(ea, eb)
	}
	if b.PeerMetadata().Get("identity") != "me" || a.PeerMetadata().Get(PropSocketType) != "ROUTER" {
		t.Fatal("metadata not exchanged")
	}
	if a.UserID() != "" || a.AsServer() || a.FrameCodec() != nil || a.Name() != "NULL" {
		t.Fatal("NULL properties")
	}
	// NULL's first command is the READY of the RFC's worked example.
	m, _ := NewNull(Metadata{{PropSocketType, []byte("ROUTER")}}, nil)
	out, _ := m.Start(nil)
	if string(out) != string(routerReadyGolden(t)) {
		t.Fatalf("READY %x", out)
	}
}

func TestNullMechanismRejects(t *testing.T) {
	refuse := func(md Metadata) error {
		return &IncompatibleSocketTypeError{Local: "PUB", Peer: md.Get(PropSocketType)}
	}
	a, _ := NewNull(Metadata{{PropSocketType, []byte("PUB")}}, refuse)
	b, _ := NewNull(Metadata{{PropSocketType, []byte("PUSH")}}, nil)
	ea, eb := runMechanisms(t, a, b)
	if !errors.Is(ea, ErrIncompatibleSocketType) {
		t.Fatalf("refusing side: %v", ea)
	}
	var pe *PeerError
	if !errors.As(eb, &pe) {
		t.Fatalf("refused side: %v", eb)
	}
	m, _ := NewNull(nil, nil)
	if _, _, err := m.Next(nil, Command{Name: CmdHello}); !errors.Is(err, ErrUnexpectedCommand) {
		t.Fatalf("HELLO in NULL: %v", err)
	}
	if _, _, err := m.Next(nil, Command{Name: CmdReady, Body: []byte{0}}); !errors.Is(err, ErrMalformedMetadata) {
		t.Fatalf("bad READY: %v", err)
	}
}
