package zmtp

import (
	"time"

	"github.com/purezmq/purezmq/internal/zmtphook"
)

// The socket layer's hooks into Conn (see internal/zmtphook).
func init() {
	zmtphook.SetPrefix = func(c any, frame []byte) { c.(*Conn).setPrefix(frame) }
	zmtphook.SetBeforeWait = func(c any, f func()) { c.(*Conn).setBeforeWait(f) }
	zmtphook.SetDrained = func(c any, drained bool) { c.(*Conn).setDrained(drained) }
	zmtphook.TryFlush = func(c any) (bool, error) { return c.(*Conn).tryFlush() }
	zmtphook.Progress = func(c any) (int64, int) { return c.(*Conn).progress() }
	zmtphook.SetOnPeerTTL = func(c any, f func(time.Duration)) { c.(*Conn).onTTL = f }
	zmtphook.ReadNext = func(c any) ([][]byte, any, error) {
		msg, cmd, err := c.(*Conn).readNext()
		if cmd != nil {
			return nil, cmd, err
		}
		return msg, nil, err
	}
	zmtphook.SetYield = func(c any, f func() bool) { c.(*Conn).setYield(f) }
	zmtphook.DirectCapable = func(c any) bool { return c.(*Conn).directCapable() }
	zmtphook.DirectReady = func(c any) (bool, bool) { return c.(*Conn).directReady() }
	zmtphook.DirectFill = func(c any) error { return c.(*Conn).directFill() }
	zmtphook.LockWrites = func(c any) { c.(*Conn).lockWrites() }
	zmtphook.UnlockWrites = func(c any) { c.(*Conn).unlockWrites() }
	zmtphook.WriteMessageLocked = func(c any, m [][]byte) error { return c.(*Conn).writeMessageLocked(m) }
	zmtphook.WriteSubscribeLocked = func(c any, topic []byte, on bool) error {
		return c.(*Conn).writeSubscribeLocked(topic, on)
	}
}
