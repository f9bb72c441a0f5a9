package zmtp

import "testing"

func TestSocketTypeMatrix(t *testing.T) {
	// The legal pairs of RFC 37's table; every other pair must be refused.
	legal := map[[2]string]bool{}
	add := func(a string, bs ...string) {
		for _, b := range bs {
			legal[[2]string{a, b}] = true
		}
	}
	add("REQ", "REP", "ROUTER")
	add("REP", "REQ", "DEALER")
	add("DEALER", "REP", "DEALER", "ROUTER")
	add("ROUTER", "REQ", "DEALER", "ROUTER")
	add("PUB", "SUB", "XSUB")
	add("XPUB", "SUB", "XSUB")
	add("SUB", "PUB", "XPUB")
	add("XSUB", "PUB", "XPUB")
	add("PUSH", "PULL")
	add("PULL", "PUSH")
	add("PAIR", "PAIR")
	add("SERVER", "CLIENT")
	add("CLIENT", "SERVER")
	add("RADIO", "DISH")
	add("DISH", "RADIO")
	add("SCATTER", "GATHER")
	add("GATHER", "SCATTER")
	add("PEER", "PEER")
	add("CHANNEL", "CHANNEL")
	types := []string{"REQ", "REP", "DEALER", "ROUTER", "PUB", "XPUB", "SUB", "XSUB", "PUSH", "PULL",
		"PAIR", "CLIENT", "SERVER", "RADIO", "DISH", "SCATTER", "GATHER", "PEER", "CHANNEL"}
	for _, a := range types {
		if !ValidSocketType(a) {
			t.Errorf("%s not valid", a)
		}
		for _, b := range types {
			if got := SocketTypesCompatible(a, b); got != legal[[2]string{a, b}] {
				t.Errorf("%s-%s: got %v", a, b, got)
			}
			// The table is symmetric.
			if SocketTypesCompatible(a, b) != SocketTypesCompatible(b, a) {
				t.Errorf("%s-%s not symmetric", a, b)
			}
		}
	}
	if !SocketTypesCompatible("dealer", "Router") {
		t.Error("case must not matter")
	}
	if ValidSocketType("STREAM") || SocketTypesCompatible("FOO", "FOO") {
		t.Error("unknown types accepted")
	}
}
