package interop

import (
	"strings"
	"testing"

	"github.com/purezmq/purezmq/internal/testpeer"
	"github.com/purezmq/purezmq/socket"
	"github.com/purezmq/purezmq/zmtp"
)

// TestPyLegacy runs our socket announcing ZMTP 2.0 or 1.0 (WithZMTPVersion)
// against libzmq 4.3 (pyzmq), which downgrades to it (RFC 23): PUSH/PULL,
// REQ/REP, DEALER/ROUTER (identities from the old greetings), PUB/SUB
// (prefix filtering, subscriptions sent as messages), PAIR, and over 2.0
// XPUB and XSUB (the subscription messages themselves). Our socket takes
// either role of each pair and either side binds. HANDSHAKE_SUCCEEDED
// shows the protocol the connection runs.
func TestPyLegacy(t *testing.T) {
	testpeer.Python(t)
	want := map[string]bool{"PUSH-PULL": true, "REQ-REP": true, "DEALER-ROUTER": true, "PUB-SUB": true,
		"PAIR-PAIR": true, "XPUB-SUB": true, "PUB-XSUB": true, "XPUB-XSUB": true}
	// Over ZMTP 1.0 a subscriber never subscribes as far as the publisher
	// knows: libzmq's XPUB reports a subscription to everything ("\x01")
	// first, and an XSUB, which does not filter, gets every message.
	only20 := map[string]bool{"XPUB-SUB": true, "PUB-XSUB": true, "XPUB-XSUB": true}
	for _, v := range []zmtp.LegacyVersion{zmtp.ZMTP20, zmtp.ZMTP10} {
		vname := strings.ReplaceAll(v.String(), "/", "")
		for _, pr := range matrix {
			pair := pr.a + "-" + pr.b
			if !want[pair] || (only20[pair] && v == zmtp.ZMTP10) {
				continue
			}
			roles := []bool{true, false} // ours is a
			if pr.a == pr.b {
				roles = roles[:1]
			}
			for _, oursIsA := range roles {
				oursType := pr.b
				if oursIsA {
					oursType = pr.a
				}
				for _, bindOurs := range []bool{false, true} {
					bindName := "libzmq"
					if bindOurs {
						bindName = "ours"
					}
					name := vname + "/" + pair + "/ours=" + oursType + "/bind=" + bindName
					t.Run(name, func(t *testing.T) {
						t.Parallel()
						runLegacyPair(t, v, pr.a, pr.b, pr.aID, pr.bID, oursIsA, bindOurs, pr.run)
					})
				}
			}
		}
	}
}

func runLegacyPair(t *testing.T, v zmtp.LegacyVersion, aType, bType, aID, bID string, oursIsA, bindOurs bool, run conversation) {
	ourType, pyType, ourID, pyID := aType, bType, aID, bID
	if !oursIsA {
		ourType, pyType, ourID, pyID = bType, aType, bID, aID
	}
	s := newOurs(t, ourType, append(ourOptions(ourID, false), socket.WithZMTPVersion(v))...)
	po := pyOptions(pyType, pyID, false)
	var py *testpeer.Py
	if bindOurs {
		po.Connect = []string{ourBind(t, s, "tcp://127.0.0.1:*")}
		py = testpeer.StartPy(t, po)
	} else {
		po.Bind = []string{"tcp://127.0.0.1:*"}
		py = testpeer.StartPy(t, po)
		if err := s.Connect(py.Endpoint()); err != nil {
			t.Fatal(err)
		}
	}
	e := awaitEvent(t, s, socket.EventHandshakeSucceeded)
	if e.Protocol != v.String() {
		t.Fatalf("connection speaks %q, want %q", e.Protocol, v)
	}
	var x, y side = ours{s}, theirs{py}
	if !oursIsA {
		x, y = y, x
	}
	run(t, x, y)
}
