package interop

import (
	"net"
	"strings"
	"testing"

	"github.com/purezmq/purezmq/internal/testpeer"
	"github.com/purezmq/purezmq/socket"
)

// needIPv6 fails (PUREZMQ_INTEROP=required) or skips when the machine has
// no IPv6 loopback: the dual-stack tests cannot run without ::1.
func needIPv6(t *testing.T) {
	t.Helper()
	ln, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		if testpeer.Required() {
			t.Fatalf("PUREZMQ_INTEROP=required but this machine has no IPv6 loopback: %v", err)
		}
		t.Skipf("no IPv6 loopback on this machine: %v", err)
	}
	ln.Close()
}

// portOf returns the port of a tcp endpoint such as tcp://[::]:5555.
func portOf(t *testing.T, ep string) string {
	t.Helper()
	_, port, err := net.SplitHostPort(strings.TrimPrefix(ep, "tcp://"))
	if err != nil {
		t.Fatalf("endpoint %s: %v", ep, err)
	}
	return port
}

// TestPyDualStack: a dual-stack bind (IPv6 on, tcp://*) is reached over
// ::1 and over 127.0.0.1, by libzmq peers when we bind and by us when
// libzmq binds.
func TestPyDualStack(t *testing.T) {
	testpeer.Python(t)
	needIPv6(t)
	t.Run("ours-binds", func(t *testing.T) {
		t.Parallel()
		pull := newOurs(t, "PULL", socket.WithIPv6(true))
		if err := pull.Bind("tcp://*:0"); err != nil {
			t.Fatal(err)
		}
		ep := pull.Endpoints()[0]
		if !strings.HasPrefix(ep, "tcp://[::]:") {
			t.Fatalf("dual-stack bind resolved to %s, want tcp://[::]:port", ep)
		}
		port := portOf(t, ep)
		// libzmq needs ZMQ_IPV6 to connect to an IPv6 address.
		py6 := testpeer.StartPy(t, testpeer.PyOptions{Type: "PUSH", Connect: []string{"tcp://[::1]:" + port},
			Extra: []string{"--opt", "IPV6=1"}})
		py4 := testpeer.StartPy(t, testpeer.PyOptions{Type: "PUSH", Connect: []string{"tcp://127.0.0.1:" + port}})
		theirs{py6}.send(t, b("over ::1"))
		mustRecv(t, ours{pull}, "over ::1")
		theirs{py4}.send(t, b("over 127.0.0.1"))
		mustRecv(t, ours{pull}, "over 127.0.0.1")
	})
	t.Run("pyzmq-binds", func(t *testing.T) {
		t.Parallel()
		py := testpeer.StartPy(t, testpeer.PyOptions{Type: "PULL", Bind: []string{"tcp://*:*"},
			Extra: []string{"--opt", "IPV6=1"}})
		port := portOf(t, py.Endpoint())
		for _, host := range []string{"[::1]", "127.0.0.1"} {
			push := newOurs(t, "PUSH", socket.WithIPv6(true))
			if err := push.Connect("tcp://" + host + ":" + port); err != nil {
				t.Fatal(err)
			}
			ours{push}.send(t, b("over "+host))
			mustRecv(t, theirs{py}, "over "+host)
		}
	})
}
