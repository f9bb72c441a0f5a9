package socket

import (
	"testing"
)

func TestPushPull(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr, func(t *testing.T) {
			pull := newSock(t, Pull)
			push := newSock(t, Push)
			ep := bindAt(t, pull, tr)
			connectTo(t, push, ep)
			send(t, push, "hello", "", "world")
			expect(t, pull, "hello", "", "world")
		})
	}
}
