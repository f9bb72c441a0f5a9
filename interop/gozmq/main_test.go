// Package gozmq tests purezmq against github.com/go-zeromq/zmq4, another
// pure-Go implementation that speaks ZMTP 3.0, and against the C reference
// peer interop/cpeer/zmqperf (libzmq).
package gozmq

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/purezmq/purezmq/internal/testpeer"
)

// cleanRun removes the temporary zmqperf build, if the tests made one.
type cleanRun struct{ m *testing.M }

func (c cleanRun) Run() int {
	code := c.m.Run()
	testpeer.Cleanup()
	return code
}

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(cleanRun{m},
		// zmq4 v0.17.0's PUB writer goroutine misses Close's wake-up when it
		// is busy sending at that moment (pubMWriter.run waits on its
		// condition again without re-checking closed), so it outlives the
		// socket. That is the peer library's leak, not ours.
		goleak.IgnoreAnyFunction("github.com/go-zeromq/zmq4.(*pubMWriter).run"))
}
