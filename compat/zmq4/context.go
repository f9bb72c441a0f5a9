package zmq4

import (
	"context"
	"sync"
)

// libzmq's context defaults.
const (
	MaxSocketsDflt = 1023
	IoThreadsDflt  = 1
)

// maxMsgszDflt is ZMQ_MAX_MSGSZ's default, INT_MAX.
const maxMsgszDflt = 1<<31 - 1

// Context groups sockets as a libzmq context does: Term ends the blocked
// calls of its sockets with ETERM and waits until they are all closed.
// purezmq has no I/O threads, so the thread options are accepted and
// reported back without effect (see the package documentation).
type Context struct {
	ctx    context.Context // cancelled by Term: blocked calls end with ETERM
	cancel context.CancelFunc

	mu         sync.Mutex
	cond       *sync.Cond // signalled when a socket closes
	sockets    map[*Socket]struct{}
	terminated bool

	ioThreads, maxSockets, maxMsgsz int
	ipv6, blocky, retryEINTR        bool
	threadPriority, schedPolicy     int
}

// NewContext makes a context.
func NewContext() (ctx *Context, err error) {
	c, cancel := context.WithCancel(context.Background())
	ctx = &Context{
		ctx: c, cancel: cancel, sockets: map[*Socket]struct{}{},
		ioThreads: IoThreadsDflt, maxSockets: MaxSocketsDflt, maxMsgsz: maxMsgszDflt,
		blocky: true, threadPriority: -1, schedPolicy: -1,
	}
	ctx.cond = sync.NewCond(&ctx.mu)
	return ctx, nil
}

// defaultCtx serves the package-level functions, as pebbe/zmq4's does.
var defaultCtx, _ = NewContext()

// Term terminates the context: blocked calls of its sockets return ETERM,
// later calls on them fail with ETERM, and Term waits until every socket of
// the context is closed, as zmq_ctx_term does.
func (ctx *Context) Term() error {
	ctx.mu.Lock()
	ctx.terminated = true
	ctx.mu.Unlock()
	ctx.cancel()
	ctx.mu.Lock()
	for len(ctx.sockets) > 0 {
		ctx.cond.Wait()
	}
	ctx.mu.Unlock()
	return nil
}

// Term terminates the default context.
func Term() error { return defaultCtx.Term() }

func (ctx *Context) add(s *Socket) error {
	ctx.mu.Lock()
	defer ctx.mu.Unlock()
	if ctx.terminated {
		return ETERM
	}
	if len(ctx.sockets) >= ctx.maxSockets {
		return emfile
	}
	ctx.sockets[s] = struct{}{}
	return nil
}

func (ctx *Context) remove(s *Socket) {
	ctx.mu.Lock()
	delete(ctx.sockets, s)
	ctx.cond.Broadcast()
	ctx.mu.Unlock()
}

func (ctx *Context) done() bool {
	return ctx.ctx.Err() != nil
}

func (ctx *Context) setInt(p *int, n, min int) error {
	if n < min {
		return einval
	}
	ctx.mu.Lock()
	*p = n
	ctx.mu.Unlock()
	return nil
}

func (ctx *Context) getInt(p *int) (int, error) {
	ctx.mu.Lock()
	defer ctx.mu.Unlock()
	return *p, nil
}

func (ctx *Context) setBool(p *bool, v bool) error {
	ctx.mu.Lock()
	*p = v
	ctx.mu.Unlock()
	return nil
}

func (ctx *Context) getBool(p *bool) (bool, error) {
	ctx.mu.Lock()
	defer ctx.mu.Unlock()
	return *p, nil
}

// SetIoThreads records ZMQ_IO_THREADS; purezmq has no I/O thread pool
// (one reader and one writer goroutine per connection), so it has no effect.
func (ctx *Context) SetIoThreads(n int) error { return ctx.setInt(&ctx.ioThreads, n, 0) }

// GetIoThreads returns the value SetIoThreads recorded (default 1).
func (ctx *Context) GetIoThreads() (int, error) { return ctx.getInt(&ctx.ioThreads) }

// SetMaxSockets sets how many sockets the context may hold.
func (ctx *Context) SetMaxSockets(n int) error { return ctx.setInt(&ctx.maxSockets, n, 1) }

// GetMaxSockets returns the socket limit (default 1023).
func (ctx *Context) GetMaxSockets() (int, error) { return ctx.getInt(&ctx.maxSockets) }

// SetMaxMsgsz sets the largest message the context's sockets accept: each
// socket made afterwards without its own SetMaxmsgsize gets it.
func (ctx *Context) SetMaxMsgsz(n int) error { return ctx.setInt(&ctx.maxMsgsz, n, 0) }

// GetMaxMsgsz returns the context's message size limit (default INT_MAX).
func (ctx *Context) GetMaxMsgsz() (int, error) { return ctx.getInt(&ctx.maxMsgsz) }

// SetIpv6 sets the IPv6 default of sockets made afterwards.
func (ctx *Context) SetIpv6(i bool) error { return ctx.setBool(&ctx.ipv6, i) }

// GetIpv6 returns the IPv6 default.
func (ctx *Context) GetIpv6() (bool, error) { return ctx.getBool(&ctx.ipv6) }

// SetBlocky records ZMQ_BLOCKY. Term always waits for the context's sockets
// to close, as with the default (true).
func (ctx *Context) SetBlocky(i bool) error { return ctx.setBool(&ctx.blocky, i) }

// GetBlocky returns the value SetBlocky recorded (default true).
func (ctx *Context) GetBlocky() (bool, error) { return ctx.getBool(&ctx.blocky) }

// SetRetryAfterEINTR records the choice; calls here are never interrupted
// by signals, so it has no effect.
func (ctx *Context) SetRetryAfterEINTR(retry bool) { ctx.setBool(&ctx.retryEINTR, retry) }

// GetRetryAfterEINTR returns the value SetRetryAfterEINTR recorded.
func (ctx *Context) GetRetryAfterEINTR() bool { b, _ := ctx.getBool(&ctx.retryEINTR); return b }

// SetThreadPriority records ZMQ_THREAD_PRIORITY; purezmq has no I/O threads
// of its own (goroutines are scheduled by the Go runtime), so it has no effect.
func (ctx *Context) SetThreadPriority(n int) error { return ctx.setInt(&ctx.threadPriority, n, -1) }

// SetThreadSchedPolicy records ZMQ_THREAD_SCHED_POLICY, without effect
// (see SetThreadPriority).
func (ctx *Context) SetThreadSchedPolicy(n int) error { return ctx.setInt(&ctx.schedPolicy, n, -1) }

// The default context's options, as package functions.

func SetIoThreads(n int) error         { return defaultCtx.SetIoThreads(n) }
func GetIoThreads() (int, error)       { return defaultCtx.GetIoThreads() }
func SetMaxSockets(n int) error        { return defaultCtx.SetMaxSockets(n) }
func GetMaxSockets() (int, error)      { return defaultCtx.GetMaxSockets() }
func SetMaxMsgsz(n int) error          { return defaultCtx.SetMaxMsgsz(n) }
func GetMaxMsgsz() (int, error)        { return defaultCtx.GetMaxMsgsz() }
func SetIpv6(i bool) error             { return defaultCtx.SetIpv6(i) }
func GetIpv6() (bool, error)           { return defaultCtx.GetIpv6() }
func SetBlocky(i bool) error           { return defaultCtx.SetBlocky(i) }
func GetBlocky() (bool, error)         { return defaultCtx.GetBlocky() }
func SetRetryAfterEINTR(retry bool)    { defaultCtx.SetRetryAfterEINTR(retry) }
func GetRetryAfterEINTR() bool         { return defaultCtx.GetRetryAfterEINTR() }
func SetThreadPriority(n int) error    { return defaultCtx.SetThreadPriority(n) }
func SetThreadSchedPolicy(n int) error { return defaultCtx.SetThreadSchedPolicy(n) }
