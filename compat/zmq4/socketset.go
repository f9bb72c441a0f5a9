package zmq4

import (
	"errors"
	"time"

	"github.com/purezmq/purezmq/socket"
)

// How a setter takes effect.
type optKind uint8

const (
	recorded optKind = iota // no meaning here: kept and reported back by the getter
	live                    // applied to the socket at once when it exists (socket.SetOption)
	atNew                   // the security mechanism and keys: package socket takes them only at New
)

// set changes an option. Before the socket is made, it is recorded for New.
// Afterwards a live option is applied with SetOption (an identity only
// before the first Bind or Connect), and an atNew one fails with ENOTSUP.
func (soc *Socket) set(kind optKind, f func(o *sockOpts) error) error {
	soc.mu.Lock()
	defer soc.mu.Unlock()
	if err := soc.check(); err != nil {
		return err
	}
	next := soc.opt
	if err := f(&next); err != nil {
		return err
	}
	if soc.created() {
		switch kind {
		case atNew:
			return ENOTSUP
		case live:
			opts := next.live(soc.typ)
			if next.identity != soc.opt.identity {
				opts = append(opts, socket.WithIdentity([]byte(next.identity)))
			}
			if err := soc.s.SetOption(opts...); err != nil {
				return setOptionErrno(err)
			}
		}
	}
	soc.opt = next
	return nil
}

// setOptionErrno maps SetOption's errors: an option that can no longer
// change is ENOTSUP (documented per option), a bad value EINVAL.
func setOptionErrno(err error) error {
	if errors.Is(err, socket.ErrOptionTooLate) || errors.Is(err, socket.ErrOptionNotSettable) {
		return ENOTSUP
	}
	return toErrno(err)
}

// only accepts a value only when it is libzmq's default, for options whose
// other values package socket cannot honour: anything else is ENOTSUP.
func (soc *Socket) only(isDefault bool) error {
	soc.mu.Lock()
	defer soc.mu.Unlock()
	if err := soc.check(); err != nil {
		return err
	}
	if !isDefault {
		return ENOTSUP
	}
	return nil
}

const maxInt32 = 1<<31 - 1

func dur(d time.Duration) time.Duration {
	if d < 0 {
		return -1
	}
	return d
}

// SetAffinity records ZMQ_AFFINITY (I/O thread affinity; no I/O threads here).
func (soc *Socket) SetAffinity(value uint64) error {
	return soc.set(recorded, func(o *sockOpts) error { o.affinity = value; return nil })
}

// SetBacklog: only the default, 100 (the listen backlog is the system's).
func (soc *Socket) SetBacklog(value int) error { return soc.only(value == 100) }

// SetConnectTimeout: only 0 (the system's connect timeout).
func (soc *Socket) SetConnectTimeout(value time.Duration) error { return soc.only(value == 0) }

// SetCurvePublickey sets the client's public key (Z85 or 32 bytes).
func (soc *Socket) SetCurvePublickey(key string) error {
	k, err := parseKey(key)
	if err != nil {
		return err
	}
	return soc.set(atNew, func(o *sockOpts) error { o.curvePub, o.curvePubSet = k, true; return nil })
}

// SetCurveSecretkey sets the socket's secret key (Z85 or 32 bytes).
func (soc *Socket) SetCurveSecretkey(key string) error {
	k, err := parseKey(key)
	if err != nil {
		return err
	}
	return soc.set(atNew, func(o *sockOpts) error { o.curveSec, o.curveSecSet = k, true; return nil })
}

// SetCurveServer makes the socket a CURVE server (1) or not (0).
func (soc *Socket) SetCurveServer(value int) error {
	return soc.set(atNew, func(o *sockOpts) error {
		o.curveServer = value != 0
		if o.curveServer {
			o.plainServer, o.plainSet = false, false
		}
		return nil
	})
}

// SetCurveServerkey sets the server's public key a CURVE client expects.
func (soc *Socket) SetCurveServerkey(key string) error {
	k, err := parseKey(key)
	if err != nil {
		return err
	}
	return soc.set(atNew, func(o *sockOpts) error {
		o.curveSrvKey, o.curveSrvSet, o.curveServer = k, true, false
		o.plainServer, o.plainSet = false, false
		return nil
	})
}

// SetGssapiPlaintext: GSSAPI is not available (it needs a Kerberos library).
func (soc *Socket) SetGssapiPlaintext(value bool) error { return soc.only(false) }

// SetGssapiPrincipal: GSSAPI is not available.
func (soc *Socket) SetGssapiPrincipal(value string) error { return soc.only(false) }

// SetGssapiServer: GSSAPI is not available.
func (soc *Socket) SetGssapiServer(value bool) error { return soc.only(false) }

// SetGssapiServicePrincipal: GSSAPI is not available.
func (soc *Socket) SetGssapiServicePrincipal(value string) error { return soc.only(false) }

// SetHandshakeIvl bounds each handshake (0: no limit here means the default).
func (soc *Socket) SetHandshakeIvl(value time.Duration) error {
	return soc.set(live, func(o *sockOpts) error { o.handshakeIvl = value; return nil })
}

// SetHeartbeatIvl sets the interval between PINGs (0: none).
func (soc *Socket) SetHeartbeatIvl(value time.Duration) error {
	return soc.set(live, func(o *sockOpts) error { o.hbIvl = value; return nil })
}

// SetHeartbeatTimeout sets how long a silent peer is kept.
func (soc *Socket) SetHeartbeatTimeout(value time.Duration) error {
	return soc.set(live, func(o *sockOpts) error { o.hbTO = value; return nil })
}

// SetHeartbeatTtl sets the TTL announced in PINGs.
func (soc *Socket) SetHeartbeatTtl(value time.Duration) error {
	return soc.set(live, func(o *sockOpts) error { o.hbTTL = value; return nil })
}

// SetIdentity sets the routing id (1 to 255 bytes, not starting with 0).
func (soc *Socket) SetIdentity(value string) error {
	if len(value) == 0 || len(value) > 255 || value[0] == 0 {
		return einval
	}
	return soc.set(live, func(o *sockOpts) error { o.identity = value; return nil })
}

// SetImmediate queues messages only to completed connections.
func (soc *Socket) SetImmediate(value bool) error {
	return soc.set(live, func(o *sockOpts) error { o.immediate = value; return nil })
}

// SetInvertMatching: only 0 (needs ZMQ_INVERT_MATCHING in package socket).
func (soc *Socket) SetInvertMatching(value int) error { return soc.only(value == 0) }

// SetIpv6 sets ZMQ_IPV6: tcp://* binds [::] dual-stack (reached over IPv6
// and IPv4) and names resolve to either family. IPv6 literals work either way.
func (soc *Socket) SetIpv6(value bool) error {
	return soc.set(live, func(o *sockOpts) error { o.ipv6 = value; return nil })
}

// SetLinger sets how long Close flushes queued messages (-1: forever).
func (soc *Socket) SetLinger(value time.Duration) error {
	return soc.set(live, func(o *sockOpts) error { o.linger = dur(value); return nil })
}

// SetMaxmsgsize limits inbound messages (-1: no limit).
func (soc *Socket) SetMaxmsgsize(value int64) error {
	return soc.set(live, func(o *sockOpts) error { o.maxmsgsize = value; return nil })
}

// SetMulticastHops records a pgm option (no pgm transport here).
func (soc *Socket) SetMulticastHops(value int) error {
	return soc.set(recorded, func(o *sockOpts) error { o.multicastHops = value; return nil })
}

// SetMulticastMaxtpdu records a pgm option (no pgm transport here).
func (soc *Socket) SetMulticastMaxtpdu(value int) error {
	return soc.set(recorded, func(o *sockOpts) error { o.maxtpdu = value; return nil })
}

// SetPlainPassword sets the PLAIN client's password.
func (soc *Socket) SetPlainPassword(password string) error {
	return soc.set(atNew, func(o *sockOpts) error {
		o.plainPass, o.plainSet, o.plainServer = password, true, false
		return nil
	})
}

// SetPlainServer makes the socket a PLAIN server (1) or not (0).
func (soc *Socket) SetPlainServer(value int) error {
	return soc.set(atNew, func(o *sockOpts) error {
		o.plainServer = value != 0
		if o.plainServer {
			o.curveServer, o.curveSrvSet = false, false
		}
		return nil
	})
}

// SetPlainUsername sets the PLAIN client's user name.
func (soc *Socket) SetPlainUsername(username string) error {
	return soc.set(atNew, func(o *sockOpts) error {
		o.plainUser, o.plainSet, o.plainServer = username, true, false
		return nil
	})
}

// SetRate records a pgm option (no pgm transport here).
func (soc *Socket) SetRate(value int) error {
	return soc.set(recorded, func(o *sockOpts) error { o.rate = value; return nil })
}

// SetRcvbuf sets the kernel receive buffer of TCP connections (SO_RCVBUF)
// in bytes; -1 or 0 keeps the system's.
func (soc *Socket) SetRcvbuf(value int) error {
	if value < -1 || value > maxInt32 {
		return einval
	}
	return soc.set(live, func(o *sockOpts) error { o.rcvbuf = value; return nil })
}

// SetRcvhwm sets the inbound high-water mark (0: none).
func (soc *Socket) SetRcvhwm(value int) error {
	if value < 0 {
		return einval
	}
	return soc.set(live, func(o *sockOpts) error { o.rcvhwm = value; return nil })
}

// SetRcvtimeo sets how long Recv waits (-1: forever, 0: not at all).
func (soc *Socket) SetRcvtimeo(value time.Duration) error {
	return soc.set(live, func(o *sockOpts) error { o.rcvtimeo = dur(value); return nil })
}

// SetReconnectIvl sets the wait before reconnecting.
func (soc *Socket) SetReconnectIvl(value time.Duration) error {
	return soc.set(live, func(o *sockOpts) error { o.reconnectIvl = value; return nil })
}

// SetReconnectIvlMax sets the upper bound of exponential reconnect backoff.
func (soc *Socket) SetReconnectIvlMax(value time.Duration) error {
	return soc.set(live, func(o *sockOpts) error { o.reconnectIvlMax = value; return nil })
}

// SetRecoveryIvl records a pgm option (no pgm transport here).
func (soc *Socket) SetRecoveryIvl(value time.Duration) error {
	return soc.set(recorded, func(o *sockOpts) error { o.recoveryIvl = value; return nil })
}

// SetReqCorrelate makes a REQ tag each request with an id and accept only
// the reply that echoes its latest one (ZMQ_REQ_CORRELATE).
func (soc *Socket) SetReqCorrelate(value int) error {
	return soc.set(live, func(o *sockOpts) error { o.reqCorrelate = value != 0; return nil })
}

// SetReqRelaxed lets a REQ send a new request before the reply to the last
// one came (ZMQ_REQ_RELAXED), as after a receive that timed out.
func (soc *Socket) SetReqRelaxed(value int) error {
	return soc.set(live, func(o *sockOpts) error { o.reqRelaxed = value != 0; return nil })
}

// SetRouterHandover lets a new peer take over an identity in use.
func (soc *Socket) SetRouterHandover(value bool) error {
	return soc.set(live, func(o *sockOpts) error { o.routerHandover = value; return nil })
}

// SetRouterMandatory reports unroutable messages with EHOSTUNREACH.
func (soc *Socket) SetRouterMandatory(value int) error {
	return soc.set(live, func(o *sockOpts) error { o.routerMandatory = value != 0; return nil })
}

// SetRouterRaw: only 0 (raw TCP needs the STREAM type in package socket).
func (soc *Socket) SetRouterRaw(value int) error { return soc.only(value == 0) }

// SetSndbuf sets the kernel send buffer of TCP connections (SO_SNDBUF) in
// bytes; -1 or 0 keeps the system's.
func (soc *Socket) SetSndbuf(value int) error {
	if value < -1 || value > maxInt32 {
		return einval
	}
	return soc.set(live, func(o *sockOpts) error { o.sndbuf = value; return nil })
}

// SetSndhwm sets the outbound high-water mark (0: none).
func (soc *Socket) SetSndhwm(value int) error {
	if value < 0 {
		return einval
	}
	return soc.set(live, func(o *sockOpts) error { o.sndhwm = value; return nil })
}

// SetSndtimeo sets how long Send waits (-1: forever, 0: not at all).
func (soc *Socket) SetSndtimeo(value time.Duration) error {
	return soc.set(live, func(o *sockOpts) error { o.sndtimeo = dur(value); return nil })
}

// SetSocksProxy: only "" (no SOCKS support).
func (soc *Socket) SetSocksProxy(value string) error { return soc.only(value == "") }

// SetStreamNotify sets whether a STREAM delivers an empty message when a
// peer connects or disconnects (1, the default) or not (0), for connections
// made from then on.
func (soc *Socket) SetStreamNotify(value int) error {
	return soc.set(live, func(o *sockOpts) error { o.streamNoNotify = value == 0; return nil })
}

// SetSubscribe adds a subscription (SUB, XSUB).
func (soc *Socket) SetSubscribe(filter string) error { return soc.subscribe(filter, true) }

// SetUnsubscribe removes a subscription (SUB, XSUB).
func (soc *Socket) SetUnsubscribe(filter string) error { return soc.subscribe(filter, false) }

func (soc *Socket) subscribe(filter string, on bool) error {
	soc.mu.Lock()
	defer soc.mu.Unlock()
	if err := soc.check(); err != nil {
		return err
	}
	if soc.typ == XPUB && soc.opt.ext.xpubManual && soc.s != nil {
		// A manual XPUB subscribes the subscriber it heard from last.
		if on {
			return toErrno(soc.s.Subscribe([]byte(filter)))
		}
		return toErrno(soc.s.Unsubscribe([]byte(filter)))
	}
	if soc.typ != SUB && soc.typ != XSUB {
		return einval
	}
	topic := []byte(filter)
	if soc.s == nil {
		if on {
			soc.subs = append(soc.subs, topic)
			return nil
		}
		for i, t := range soc.subs {
			if string(t) == filter {
				soc.subs = append(soc.subs[:i:i], soc.subs[i+1:]...)
				return nil
			}
		}
		return nil
	}
	if on {
		return toErrno(soc.s.Subscribe(topic))
	}
	return toErrno(soc.s.Unsubscribe(topic))
}

// SetTcpAcceptFilter: only "" (needs accept filters in package socket).
func (soc *Socket) SetTcpAcceptFilter(filter string) error { return soc.only(filter == "") }

// SetTcpKeepalive sets TCP keep-alive: -1 the system's default, 0 off, 1 on.
func (soc *Socket) SetTcpKeepalive(value int) error {
	if value < -1 || value > 1 {
		return einval
	}
	return soc.set(live, func(o *sockOpts) error { o.keepalive = value; return nil })
}

// SetTcpKeepaliveCnt sets how many unanswered probes drop a connection
// (TCP_KEEPCNT; -1: the system's), with SetTcpKeepalive(1).
func (soc *Socket) SetTcpKeepaliveCnt(value int) error {
	if value < -1 || value > 127 {
		return einval
	}
	return soc.set(live, func(o *sockOpts) error { o.kaCnt = value; return nil })
}

// SetTcpKeepaliveIdle sets the idle seconds before the first probe
// (TCP_KEEPIDLE; -1: the system's), with SetTcpKeepalive(1).
func (soc *Socket) SetTcpKeepaliveIdle(value int) error {
	if value < -1 || value > 32767 {
		return einval
	}
	return soc.set(live, func(o *sockOpts) error { o.kaIdle = value; return nil })
}

// SetTcpKeepaliveIntvl sets the seconds between probes (TCP_KEEPINTVL;
// -1: the system's), with SetTcpKeepalive(1).
func (soc *Socket) SetTcpKeepaliveIntvl(value int) error {
	if value < -1 || value > 32767 {
		return einval
	}
	return soc.set(live, func(o *sockOpts) error { o.kaIntvl = value; return nil })
}

// SetTcpMaxrt: only 0 (needs TCP_USER_TIMEOUT in package socket).
func (soc *Socket) SetTcpMaxrt(value time.Duration) error { return soc.only(value == 0) }

// SetTos sets the type-of-service byte of outgoing packets (IP_TOS,
// IPV6_TCLASS); 0 leaves it alone.
func (soc *Socket) SetTos(value int) error {
	if value < 0 || value > 255 {
		return einval
	}
	return soc.set(live, func(o *sockOpts) error { o.tos = value; return nil })
}

// SetUseFd: only -1 (a Go listener cannot adopt a descriptor here).
func (soc *Socket) SetUseFd(value int) error { return soc.only(value == -1) }

// SetVmciBufferMaxSize: no vmci transport.
func (soc *Socket) SetVmciBufferMaxSize(value uint64) error { return soc.only(false) }

// SetVmciBufferMinSize: no vmci transport.
func (soc *Socket) SetVmciBufferMinSize(value uint64) error { return soc.only(false) }

// SetVmciBufferSize: no vmci transport.
func (soc *Socket) SetVmciBufferSize(value uint64) error { return soc.only(false) }

// SetVmciConnectTimeout: no vmci transport.
func (soc *Socket) SetVmciConnectTimeout(value time.Duration) error { return soc.only(false) }

// SetXpubNodrop makes an XPUB fail or wait instead of dropping.
func (soc *Socket) SetXpubNodrop(value bool) error {
	return soc.set(live, func(o *sockOpts) error { o.xpubNodrop = value; return nil })
}

// SetXpubVerbose passes every subscription message up, not only new topics.
func (soc *Socket) SetXpubVerbose(value int) error {
	return soc.set(live, func(o *sockOpts) error { o.xpubVerbose = value != 0; return nil })
}

// SetXpubVerboser: only 0 (needs XPUB_VERBOSER in package socket).
func (soc *Socket) SetXpubVerboser(value int) error { return soc.only(value == 0) }

// SetZapDomain sets the domain given to the ZAP handler (PLAIN, CURVE).
// It may change at any time, as in libzmq; it applies to the next handshake.
func (soc *Socket) SetZapDomain(domain string) error {
	return soc.set(live, func(o *sockOpts) error { o.zapDomain = domain; return nil })
}
