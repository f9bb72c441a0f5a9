package socket

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// A retaining PUB told about a subscriber it cannot key: monitor event and
// a warning in the log. A keyed one raises nothing.
func TestRetentionNoKeyEvent(t *testing.T) {
	var logBuf syncBuffer
	pub := newSock(t, Pub, WithRetention(Retention{KeyBy: KeyIdentity}),
		WithLogger(slog.New(slog.NewTextHandler(&logBuf, &slog.HandlerOptions{Level: slog.LevelWarn}))))
	ep := bindAt(t, pub, "tcp")
	keyed := newSock(t, Sub, WithIdentity([]byte("sub-1")))
	connectTo(t, keyed, ep)
	waitEvent(t, pub, EventHandshakeSucceeded, 5*time.Second)
	anon := newSock(t, Sub)
	connectTo(t, anon, ep)
	e := waitEvent(t, pub, EventRetentionNoKey, 5*time.Second)
	var nk *NoKeyError
	if !errors.As(e.Err, &nk) || nk.PeerType != "SUB" || nk.KeyBy != KeyIdentity || e.Peer == "" {
		t.Fatalf("event %v", e)
	}
	if !strings.Contains(e.Err.Error(), "libzmq sends") {
		t.Fatalf("the reason does not mention libzmq's rule: %v", e.Err)
	}
	for _, ev := range drainEvents(pub, 50*time.Millisecond) {
		if ev.Kind == EventRetentionNoKey {
			t.Fatalf("a second RETENTION_NO_KEY: %v", ev)
		}
	}
	waitFor(t, time.Second, "the warning in the log", func() bool {
		return strings.Contains(logBuf.String(), "retention: peer has no key")
	})
	t.Logf("event: %v", e)
}

// syncBuffer is a bytes.Buffer safe for a logger and a test to share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
