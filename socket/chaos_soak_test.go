//go:build soak

package socket

import (
	"testing"
	"time"
)

// TestSoakChaos is issue 14's chaos run at full length (make soak): 100k
// numbered messages each way through a proxy that cuts the connection
// every 50-500 ms for about 20 s, PUSH->PULL and DEALER<->ROUTER with
// retention, DEALER<->ROUTER again through HWM 50 and a swap, and PUB->SUB
// to a durable subscriber (retention on the PUB), and DEALER<->ROUTER
// with write-through. With
// acknowledged delivery nothing may be lost, repeated or reordered;
// without, the run prints what the cuts lost (ZMTP has no
// acknowledgements: what was in flight at a cut is gone), unasserted.
func TestSoakChaos(t *testing.T) {
	for _, acked := range []bool{true, false} {
		for _, c := range []struct {
			name                 string
			dealer, swap, pubsub bool
		}{{"push-pull", false, false, false}, {"dealer-router", true, false, false},
			{"dealer-router-swap", true, true, false}, {"pub-sub", false, false, true},
			{"dealer-router-write-through", true, true, false}} {
			name := c.name + "/plain"
			if acked {
				name = c.name + "/acked"
			}
			t.Run(name, func(t *testing.T) {
				cfg := chaosConfig{n: 100000, burst: 100, pause: 20 * time.Millisecond,
					minCut: 50 * time.Millisecond, maxCut: 500 * time.Millisecond,
					acked: acked, dealer: c.dealer, swap: c.swap, pubsub: c.pubsub, minCuts: 24,
					wt: c.name == "dealer-router-write-through"}
				r := runChaos(t, cfg)
				t.Logf("%s: %v", name, r)
				if acked {
					checkChaos(t, cfg, r)
				}
			})
		}
	}
}
