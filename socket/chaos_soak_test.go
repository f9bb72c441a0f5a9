//go:build soak

package socket

import (
	"testing"
	"time"
)

// TestSoakChaos is issue 14's chaos run at full length (make soak): 100k
// numbered messages each way through a proxy that cuts the connection
// every 50-500 ms for about 20 s, PUSH->PULL and DEALER<->ROUTER with
// retention. With acknowledged delivery nothing may be lost, repeated or
// reordered; without, the run prints what the cuts lost (ZMTP has no
// acknowledgements: what was in flight at a cut is gone), unasserted.
func TestSoakChaos(t *testing.T) {
	for _, acked := range []bool{true, false} {
		for _, dealer := range []bool{false, true} {
			name := "push-pull"
			if dealer {
				name = "dealer-router"
			}
			if acked {
				name += "/acked"
			} else {
				name += "/plain"
			}
			t.Run(name, func(t *testing.T) {
				cfg := chaosConfig{n: 100000, burst: 100, pause: 20 * time.Millisecond,
					minCut: 50 * time.Millisecond, maxCut: 500 * time.Millisecond,
					acked: acked, dealer: dealer, minCuts: 24}
				r := runChaos(t, cfg)
				t.Logf("%s: %v", name, r)
				if acked {
					checkChaos(t, cfg, r)
				}
			})
		}
	}
}
