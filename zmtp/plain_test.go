package zmtp

import (
	"bytes"
	"errors"
	"testing"
)

// PLAIN goldens from RFC 24's grammar.
func helloGolden(t testing.TB) []byte {
	return cat(hx(t, "04 13 05"), []byte("HELLO"), hx(t, "05"), []byte("admin"), hx(t, "06"), []byte("secret"))
}

func welcomeGolden(t testing.TB) []byte { return cat(hx(t, "04 08 07"), []byte("WELCOME")) }

func initiateGolden(t testing.TB) []byte {
	return cat(hx(t, "04 1f 08"), []byte("INITIATE"),
		hx(t, "0b"), []byte("Socket-Type"), hx(t, "00000006"), []byte("DEALER"))
}

func TestPlainGoldens(t *testing.T) {
	hello, err := AppendHello(nil, "admin", "secret")
	if err != nil || !bytes.Equal(hello, helloGolden(t)) {
		t.Fatalf("HELLO %x %v", hello, err)
	}
	if w := AppendWelcome(nil); !bytes.Equal(w, welcomeGolden(t)) {
		t.Fatalf("WELCOME %x", w)
	}
	ini, err := AppendInitiate(nil, Metadata{{PropSocketType, []byte("DEALER")}})
	if err != nil || !bytes.Equal(ini, initiateGolden(t)) {
		t.Fatalf("INITIATE %x %v", ini, err)
	}
	ready, _ := AppendReady(nil, Metadata{{PropSocketType, []byte("ROUTER")}})
	if !bytes.Equal(ready, routerReadyGolden(t)) {
		t.Fatalf("READY %x", ready)
	}
	cmd, _, err := ParseCommandFrame(hello)
	if err != nil || cmd.Name != CmdHello {
		t.Fatal(err)
	}
	u, p, err := ParseHello(cmd.Body)
	if err != nil || u != "admin" || p != "secret" {
		t.Fatalf("%q %q %v", u, p, err)
	}
	for _, g := range [][]byte{hello, welcomeGolden(t), ini} {
		checkPrefixes(t, g, ErrShort, func(b []byte) error { _, _, err := ParseCommandFrame(b); return err })
	}
	// Empty credentials are legal; lengths must fill the body exactly.
	if u, p, err := ParseHello(hx(t, "00 00")); err != nil || u != "" || p != "" {
		t.Fatal(u, p, err)
	}
	for _, bad := range [][]byte{nil, hx(t, "00"), hx(t, "01 61"), hx(t, "00 00 00"), hx(t, "00 02 61")} {
		if _, _, err := ParseHello(bad); !errors.Is(err, ErrMalformedCommand) {
			t.Errorf("HELLO %x: %v", bad, err)
		}
	}
	if _, err := AppendHello(nil, string(make([]byte, 256)), ""); !errors.Is(err, ErrMalformedCommand) {
		t.Error("256-byte user accepted")
	}
}

// runMechanisms drives two mechanisms against each other in memory and returns
// each side's error.
func runMechanisms(t *testing.T, a, b Mechanism) (errA, errB error) {
	t.Helper()
	outA, err := a.Start(nil)
	if err != nil {
		return err, nil
	}
	outB, err := b.Start(nil)
	if err != nil {
		return nil, err
	}
	var doneA, doneB bool
	for i := 0; i < 10 && !(doneA && doneB); i++ {
		deliver := func(in []byte, m Mechanism, done *bool) ([]byte, error) {
			var out []byte
			for len(in) > 0 {
				cmd, n, err := ParseCommandFrame(in)
				if err != nil {
					t.Fatalf("mechanism produced a bad frame: %v", err)
				}
				in = in[n:]
				var d bool
				out, d, err = m.Next(out, cmd)
				*done = *done || d
				if err != nil {
					return out, err
				}
			}
			return out, nil
		}
		nextA, eA := deliver(outB, a, &doneA)
		nextB, eB := deliver(outA, b, &doneB)
		if eA != nil || eB != nil {
			// Let the other side see the ERROR that was just produced.
			if eA != nil {
				_, eB2 := deliver(nextA, b, &doneB)
				return eA, errors.Join(eB, eB2)
			}
			_, eA2 := deliver(nextB, a, &doneA)
			return eA2, eB
		}
		outA, outB = nextA, nextB
	}
	if !doneA || !doneB {
		t.Fatalf("handshake did not finish: %v %v", doneA, doneB)
	}
	return nil, nil
}

func TestPlainMechanism(t *testing.T) {
	users := map[string]string{"admin": "secret"}
	auth := func(mech, u, p string) (string, error) {
		if mech != "PLAIN" {
			t.Errorf("mechanism %q", mech)
		}
		if users[u] != p || p == "" {
			return "", errors.New("bad credentials")
		}
		return "id-" + u, nil
	}
	srvMD := Metadata{{PropSocketType, []byte("ROUTER")}}
	cliMD := Metadata{{PropSocketType, []byte("DEALER")}}

	cli, _ := NewPlainClient("admin", "secret", cliMD, nil)
	srv, _ := NewPlainServer(auth, srvMD, nil)
	if ea, eb := runMechanisms(t, cli, srv); ea != nil || eb != nil {
		t.Fatal(ea, eb)
	}
	if srv.UserID() != "id-admin" || cli.UserID() != "" || !srv.AsServer() || cli.AsServer() {
		t.Fatalf("user ids %q %q", srv.UserID(), cli.UserID())
	}
	if cli.PeerMetadata().Get(PropSocketType) != "ROUTER" || srv.PeerMetadata().Get(PropSocketType) != "DEALER" {
		t.Fatal("metadata not exchanged")
	}

	cli, _ = NewPlainClient("admin", "wrong", cliMD, nil)
	srv, _ = NewPlainServer(auth, srvMD, nil)
	ec, es := runMechanisms(t, cli, srv)
	var pe *PeerError
	if !errors.As(ec, &pe) || pe.Reason != "bad credentials" {
		t.Fatalf("client: %v", ec)
	}
	if !errors.Is(es, ErrAuthFailed) {
		t.Fatalf("server: %v", es)
	}

	if _, err := NewPlainServer(nil, srvMD, nil); !errors.Is(err, ErrBadConfig) {
		t.Fatalf("nil authenticator: %v", err)
	}
}

func TestPlainMechanismOutOfOrder(t *testing.T) {
	md := Metadata{{PropSocketType, []byte("DEALER")}}
	cli, _ := NewPlainClient("u", "p", md, nil)
	if _, _, err := cli.Next(nil, Command{Name: CmdReady}); !errors.Is(err, ErrUnexpectedCommand) {
		t.Fatalf("READY before WELCOME: %v", err)
	}
	srv, _ := NewPlainServer(func(string, string, string) (string, error) { return "", nil }, md, nil)
	if _, _, err := srv.Next(nil, Command{Name: CmdInitiate}); !errors.Is(err, ErrUnexpectedCommand) {
		t.Fatalf("INITIATE before HELLO: %v", err)
	}
	cli, _ = NewPlainClient("u", "p", md, nil)
	if _, _, err := cli.Next(nil, Command{Name: CmdWelcome, Body: []byte("x")}); !errors.Is(err, ErrMalformedCommand) {
		t.Fatalf("WELCOME with data: %v", err)
	}
}

func FuzzPlain(f *testing.F) {
	for _, g := range [][]byte{helloGolden(f), welcomeGolden(f), initiateGolden(f), routerReadyGolden(f), AppendError(nil, "400")} {
		cmd, _, _ := ParseCommandFrame(g)
		f.Add(cmd.Name, cmd.Body)
	}
	f.Fuzz(func(t *testing.T, name string, body []byte) {
		// The codec: HELLO data round-trips.
		if u, p, err := ParseHello(body); err == nil {
			out, err := AppendHello(nil, u, p)
			if err != nil {
				t.Fatal(err)
			}
			c, _, _ := ParseCommandFrame(out)
			if u2, p2, err := ParseHello(c.Body); err != nil || u2 != u || p2 != p {
				t.Fatalf("HELLO round trip: %v", err)
			}
		}
		if md, err := ParseMetadata(body); err == nil {
			out, err := AppendInitiate(nil, md)
			if err != nil {
				t.Fatal(err)
			}
			c, _, _ := ParseCommandFrame(out)
			if md2, err := ParseMetadata(c.Body); err != nil || len(md2) != len(md) {
				t.Fatalf("INITIATE round trip: %v", err)
			}
		}
		// The state machines: any command at any step fails cleanly.
		md := Metadata{{PropSocketType, []byte("DEALER")}}
		auth := func(string, string, string) (string, error) { return "", nil }
		cli, _ := NewPlainClient("u", "p", md, nil)
		srv, _ := NewPlainServer(auth, md, nil)
		cmd := Command{Name: name, Body: body}
		_, _, _ = cli.Next(nil, cmd)
		_, _, _ = cli.Next(nil, cmd)
		_, _, _ = srv.Next(nil, cmd)
		_, _, _ = srv.Next(nil, Command{Name: CmdInitiate, Body: body})
	})
}
