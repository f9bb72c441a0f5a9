package zmq4

import (
	"time"

	"github.com/purezmq/purezmq/zmtp"
)

// get reads a recorded option.
func get[T any](soc *Socket, f func(o *sockOpts) T) (T, error) {
	soc.mu.Lock()
	defer soc.mu.Unlock()
	if soc.closed {
		var zero T
		return zero, ErrorSocketClosed
	}
	return f(&soc.opt), nil
}

// fixed reports libzmq's default for options only that default is accepted for.
func fixed[T any](soc *Socket, v T) (T, error) {
	return get(soc, func(*sockOpts) T { return v })
}

// unsupported fails options of features not available here (GSSAPI, vmci).
func unsupported[T any](soc *Socket) (T, error) {
	var zero T
	if _, err := get(soc, func(*sockOpts) int { return 0 }); err != nil {
		return zero, err
	}
	return zero, ENOTSUP
}

func (soc *Socket) GetAffinity() (uint64, error) {
	return get(soc, func(o *sockOpts) uint64 { return o.affinity })
}
func (soc *Socket) GetBacklog() (int, error)                   { return fixed(soc, 100) }
func (soc *Socket) GetConnectTimeout() (time.Duration, error)  { return fixed(soc, time.Duration(0)) }
func (soc *Socket) GetInvertMatching() (int, error)            { return fixed(soc, 0) }
func (soc *Socket) GetSocksProxy() (string, error)             { return fixed(soc, "") }
func (soc *Socket) GetTcpMaxrt() (time.Duration, error)        { return fixed(soc, time.Duration(0)) }
func (soc *Socket) Getusefd() (int, error)                     { return fixed(soc, -1) }
func (soc *Socket) GetThreadSafe() (bool, error)               { return fixed(soc, false) }
func (soc *Socket) GetGssapiPlaintext() (bool, error)          { return unsupported[bool](soc) }
func (soc *Socket) GetGssapiPrincipal() (string, error)        { return unsupported[string](soc) }
func (soc *Socket) GetGssapiServer() (bool, error)             { return unsupported[bool](soc) }
func (soc *Socket) GetGssapiServicePrincipal() (string, error) { return unsupported[string](soc) }
func (soc *Socket) GetVmciBufferMaxSize() (uint64, error)      { return unsupported[uint64](soc) }
func (soc *Socket) GetVmciBufferMinSize() (uint64, error)      { return unsupported[uint64](soc) }
func (soc *Socket) GetVmciBufferSize() (uint64, error)         { return unsupported[uint64](soc) }
func (soc *Socket) GetVmciConnectTimeout() (time.Duration, error) {
	return unsupported[time.Duration](soc)
}

// GetFd: there is no file descriptor that signals readiness; use Poller.
func (soc *Socket) GetFd() (int, error) { return unsupported[int](soc) }

func (soc *Socket) GetCurvePublickeyRaw() (string, error) {
	return get(soc, func(o *sockOpts) string { return string(o.curvePub[:]) })
}

// GetCurvePublickeykeyZ85 is spelled as in pebbe/zmq4.
func (soc *Socket) GetCurvePublickeykeyZ85() (string, error) {
	return get(soc, func(o *sockOpts) string { return zmtp.CurveKeyZ85(o.curvePub) })
}
func (soc *Socket) GetCurveSecretkeyRaw() (string, error) {
	return get(soc, func(o *sockOpts) string { return string(o.curveSec[:]) })
}
func (soc *Socket) GetCurveSecretkeyZ85() (string, error) {
	return get(soc, func(o *sockOpts) string { return zmtp.CurveKeyZ85(o.curveSec) })
}
func (soc *Socket) GetCurveServerkeyRaw() (string, error) {
	return get(soc, func(o *sockOpts) string { return string(o.curveSrvKey[:]) })
}
func (soc *Socket) GetCurveServerkeyZ85() (string, error) {
	return get(soc, func(o *sockOpts) string { return zmtp.CurveKeyZ85(o.curveSrvKey) })
}
func (soc *Socket) GetHandshakeIvl() (time.Duration, error) {
	return get(soc, func(o *sockOpts) time.Duration { return o.handshakeIvl })
}
func (soc *Socket) GetIdentity() (string, error) {
	return get(soc, func(o *sockOpts) string { return o.identity })
}
func (soc *Socket) GetImmediate() (bool, error) {
	return get(soc, func(o *sockOpts) bool { return o.immediate })
}
func (soc *Socket) GetIpv6() (bool, error) { return get(soc, func(o *sockOpts) bool { return o.ipv6 }) }
func (soc *Socket) GetLinger() (time.Duration, error) {
	return get(soc, func(o *sockOpts) time.Duration { return o.linger })
}
func (soc *Socket) GetMaxmsgsize() (int64, error) {
	return get(soc, func(o *sockOpts) int64 { return o.maxmsgsize })
}
func (soc *Socket) GetMechanism() (Mechanism, error) {
	return get(soc, func(o *sockOpts) Mechanism { return o.mechanism() })
}
func (soc *Socket) GetMulticastHops() (int, error) {
	return get(soc, func(o *sockOpts) int { return o.multicastHops })
}
func (soc *Socket) GetMulticastMaxtpdu() (int, error) {
	return get(soc, func(o *sockOpts) int { return o.maxtpdu })
}
func (soc *Socket) GetPlainPassword() (string, error) {
	return get(soc, func(o *sockOpts) string { return o.plainPass })
}
func (soc *Socket) GetPlainServer() (int, error) {
	return get(soc, func(o *sockOpts) int { return b2i(o.plainServer) })
}
func (soc *Socket) GetPlainUsername() (string, error) {
	return get(soc, func(o *sockOpts) string { return o.plainUser })
}
func (soc *Socket) GetRate() (int, error) { return get(soc, func(o *sockOpts) int { return o.rate }) }
func (soc *Socket) GetRcvhwm() (int, error) {
	return get(soc, func(o *sockOpts) int { return o.rcvhwm })
}
func (soc *Socket) GetRcvtimeo() (time.Duration, error) {
	return get(soc, func(o *sockOpts) time.Duration { return o.rcvtimeo })
}
func (soc *Socket) GetReconnectIvl() (time.Duration, error) {
	return get(soc, func(o *sockOpts) time.Duration { return o.reconnectIvl })
}
func (soc *Socket) GetReconnectIvlMax() (time.Duration, error) {
	return get(soc, func(o *sockOpts) time.Duration { return o.reconnectIvlMax })
}
func (soc *Socket) GetRecoveryIvl() (time.Duration, error) {
	return get(soc, func(o *sockOpts) time.Duration { return o.recoveryIvl })
}
func (soc *Socket) GetSndhwm() (int, error) {
	return get(soc, func(o *sockOpts) int { return o.sndhwm })
}
func (soc *Socket) GetSndtimeo() (time.Duration, error) {
	return get(soc, func(o *sockOpts) time.Duration { return o.sndtimeo })
}
func (soc *Socket) GetZapDomain() (string, error) {
	return get(soc, func(o *sockOpts) string { return o.zapDomain })
}

// GetLastEndpoint returns the endpoint last bound or connected, with the
// port and path a wildcard resolved to.
func (soc *Socket) GetLastEndpoint() (string, error) {
	soc.mu.Lock()
	defer soc.mu.Unlock()
	if soc.closed {
		return "", ErrorSocketClosed
	}
	return soc.last, nil
}

// GetRcvmore reports whether the frame Recv returned last has more after it.
func (soc *Socket) GetRcvmore() (bool, error) {
	soc.mu.Lock()
	defer soc.mu.Unlock()
	if soc.closed {
		return false, ErrorSocketClosed
	}
	return soc.more, nil
}

// GetEvents reports whether the socket can be read and written now.
func (soc *Socket) GetEvents() (State, error) {
	soc.mu.Lock()
	defer soc.mu.Unlock()
	if err := soc.check(); err != nil {
		return 0, err
	}
	return soc.readyLocked(POLLIN | POLLOUT)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (soc *Socket) GetRcvbuf() (int, error) {
	return get(soc, func(o *sockOpts) int { return o.rcvbuf })
}
func (soc *Socket) GetSndbuf() (int, error) {
	return get(soc, func(o *sockOpts) int { return o.sndbuf })
}
func (soc *Socket) GetTos() (int, error) { return get(soc, func(o *sockOpts) int { return o.tos }) }
func (soc *Socket) GetTcpKeepalive() (int, error) {
	return get(soc, func(o *sockOpts) int { return o.keepalive })
}
func (soc *Socket) GetTcpKeepaliveCnt() (int, error) {
	return get(soc, func(o *sockOpts) int { return o.kaCnt })
}
func (soc *Socket) GetTcpKeepaliveIdle() (int, error) {
	return get(soc, func(o *sockOpts) int { return o.kaIdle })
}
func (soc *Socket) GetTcpKeepaliveIntvl() (int, error) {
	return get(soc, func(o *sockOpts) int { return o.kaIntvl })
}
